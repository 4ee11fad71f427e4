// The edge of a workflow task: the payload Step Functions sends is parsed by zod before the use case runs. Errors
// travel back unchanged, because the workflow's Retry and Catch rules match on their names (EditionSoldOut, ...).
import { z } from 'zod';
import { DomainError, InvalidInput } from '../../shared/errors.js';
import { logger } from './observability.js';

export function workflowTask<S extends z.ZodType, R>(schema: S, run: (input: z.infer<S>) => Promise<R>) {
  return async (event: unknown): Promise<R> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) throw new InvalidInput(`Invalid task input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    try {
      return await run(parsed.data);
    } catch (err) {
      // A declined card or a sold-out edition is business as usual for the workflow; anything else deserves a look.
      if (err instanceof DomainError && err.code !== 'DependencyUnavailable') logger.info('Workflow task ended by a rule', { error: err.name, message: err.message });
      else logger.warn('Workflow task failed', { error: err as Error });
      throw err;
    }
  };
}

export const orderId = z.string().regex(/^ord_[0-9a-f]{24}$/, 'an order id');
export const taskToken = z.string().min(1).max(1024);
export const stepError = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullish();
