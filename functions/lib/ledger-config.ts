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
});
