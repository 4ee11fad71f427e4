// The BigchainDB endpoint and the auth headers a hosted network may need (a JSON object of header → value).
import { z } from 'zod';

export const ledgerConfig = z.object({
  LEDGER_URL: z.url(),
  LEDGER_HEADERS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), z.string()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of header names to string values' });
        return z.NEVER;
      }
    }),
  LEDGER_HEADERS_SECRET_ARN: z.string().default(''),
});

/**
 * Every header a ledger request carries: the plain ones from LEDGER_HEADERS, plus those kept in Secrets Manager when a
 * secret is configured (credentials of a hosted network must not sit in a function's configuration).
 */
export async function ledgerHeaders(config: z.infer<typeof ledgerConfig>, load: (arn: string) => Promise<Record<string, string>>): Promise<Record<string, string>> {
  if (!config.LEDGER_HEADERS_SECRET_ARN) return config.LEDGER_HEADERS;
  return { ...config.LEDGER_HEADERS, ...(await load(config.LEDGER_HEADERS_SECRET_ARN)) };
}
