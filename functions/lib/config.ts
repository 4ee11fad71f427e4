// Configuration is read once per cold start and validated, so a missing variable fails loudly by name.
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Where the AWS SDK clients point. Unset in AWS; the local runtime sets AWS_ENDPOINT_URL_* for each service. */
export const awsClientConfig = z.object({
  AWS_REGION: z.string().min(1).default('eu-west-1'),
  /** s3rver (local) only understands path-style addressing. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
