// The embedded platform's own settings, read once from the environment and validated.
import { resolve } from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const LocalConfig = z.object({
  PORT: port(3000),
  DPM_HOST: z.string().default('127.0.0.1'),
  DPM_DATA_DIR: z.string().default('.dpm').transform((p) => resolve(p)),
  DPM_PORT_DYNAMODB: port(8000),
  DPM_PORT_S3: port(4568),
  // cognito-local's discovery document hard-codes 9229, so the default keeps discovery truthful.
  DPM_PORT_COGNITO: port(9229),
  DPM_PORT_KMS: port(4599),
  DPM_PORT_SFN: port(8083),
  DPM_PORT_EVENTS: port(4010),
  DPM_PORT_SQS: port(9324),
  DPM_PORT_MQTT: port(1883),
  DPM_PORT_MQTT_WS: port(8884),
  /** The IoT data-plane API (device shadows, publish) beside the broker. */
  DPM_PORT_IOT_DATA: port(8444),
  DPM_PORT_LEDGER: port(9984),
  /**
   * Where DynamoDB Local keeps its tables: `disk` (under DPM_DATA_DIR, kept across restarts) or `memory` (its own
   * -inMemory mode: gone when it stops). Memory is for runs that throw their data away (the benchmarks): on disk,
   * even on a tmpfs, SQLite's page writes and journal make thousands of system calls per order.
   */
  DPM_DYNAMODB_STORAGE: z.enum(['disk', 'memory']).default('disk'),
  /**
   * The JVM compilers DynamoDB Local runs with: `optimizing` (the JVM's default, for a platform that runs for long:
   * `npm start`) or `quick` (for one that lives for minutes: the tests and the demo ask for it). See JvmCompilers.
   */
  DPM_DYNAMODB_JIT: z.enum(['quick', 'optimizing']).default('optimizing'),
  /** How often the ledger node cuts a block. */
  DPM_LEDGER_BLOCK_MS: z.coerce.number().int().min(5).max(10_000).default(100),
  DPM_LOG: z.enum(['quiet', 'info', 'debug']).default('info'),
  /**
   * The signing secret of POST /webhooks/stripe on the embedded platform: Stripe-shaped events signed with it go
   * through the same reader as Stripe's in AWS.
   */
  DPM_STRIPE_WEBHOOK_SECRET: z.string().min(1).default('whsec_dpm_local'),
});
export type LocalConfig = z.infer<typeof LocalConfig>;

/** Every port setting: tests, the demo and the benchmarks set them all to free ports. */
export const portVars = [
  'PORT',
  'DPM_PORT_DYNAMODB',
  'DPM_PORT_S3',
  'DPM_PORT_COGNITO',
  'DPM_PORT_KMS',
  'DPM_PORT_SFN',
  'DPM_PORT_EVENTS',
  'DPM_PORT_SQS',
  'DPM_PORT_MQTT',
  'DPM_PORT_MQTT_WS',
  'DPM_PORT_IOT_DATA',
  'DPM_PORT_LEDGER',
] as const satisfies readonly (keyof LocalConfig)[];

export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const parsed = LocalConfig.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid local configuration: ${problems}`);
  }
  return parsed.data;
}
