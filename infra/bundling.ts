// How every Lambda is bundled: read by the CDK's NodejsFunction and by the bundle-size benchmark, so the benchmark
// measures what is deployed. ESM for Node 24; the AWS SDK v3 comes with the runtime.
export const lambdaBundling = {
  format: 'esm',
  target: 'node24',
  minify: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
  /** esbuild's ESM output has no `require`; some dependencies (middy, powertools) still call it. */
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;
