// Bundle size of each Lambda, built with the settings the CDK's NodejsFunction uses (ESM, minified, node24,
// the AWS SDK v3 left to the runtime).
import { build } from 'esbuild';
import { join } from 'node:path';
import { lambdaBundling } from '../infra/bundling.js';
import { functions, type FunctionSpec } from '../infra/platform.js';
import { repoRoot } from './lib.js';

export const bundleLimitBytes = 1024 * 1024;

export async function runBundleBench() {
  const sizes: Record<string, { bytes: number; underLimit: boolean }> = {};
  for (const [key, spec] of Object.entries(functions) as [string, FunctionSpec][]) {
    const result = await build({
      entryPoints: [join(repoRoot, spec.entry)],
      bundle: true,
      minify: lambdaBundling.minify,
      platform: 'node',
      target: lambdaBundling.target,
      format: lambdaBundling.format,
      external: [...lambdaBundling.externalModules],
      write: false,
      logLevel: 'silent',
      banner: { js: lambdaBundling.banner },
    });
    const bytes = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
    sizes[key] = { bytes, underLimit: bytes < bundleLimitBytes };
  }
  return { target: '< 1 MB each', limitBytes: bundleLimitBytes, pass: Object.values(sizes).every((s) => s.underLimit), sizes };
}
