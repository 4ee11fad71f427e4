// AWS's answers that mean "not now" rather than "no", as the domain's DependencyUnavailable, so that every caller
// retries them: the workflow's Retry, the queues' redelivery, a 503 for the API. Without this they reached the callers
// raw once the SDK's own retries were spent, and were misread:
// - A workflow task failed by any error other than the named ones is caught by States.ALL into the refund, even after
//   delivery: a throttled KMS Sign or EventBridge PutEvents refunded a printed product.
// - A DynamoDB transaction cancelled because another one held an item (reason TransactionConflict: in AWS, orders
//   paid or released at the same time all touch the escrow and commission balances) looked like a refused condition
//   to the adapters that read any cancellation as one: a license released by nobody, a printer "already registered".
import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { MiddlewareStack } from '@smithy/types';
import { DependencyUnavailable } from '../errors.js';

/** DynamoDB's cancellation reasons that a later attempt of the same transaction can pass (AWS's list of reason codes). */
const passingReasons = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** `err` as DependencyUnavailable when `service` may do it on a later attempt; undefined for an answer to keep. */
export function unavailableOf(err: unknown, service = 'AWS'): DependencyUnavailable | undefined {
  if (!(err instanceof Error)) return undefined;
  let passing: boolean;
  if (err instanceof TransactionCanceledException) {
    // Another item's refused condition is still reported with it, and an attempt after the conflict reports that alone.
    passing = (err.CancellationReasons ?? []).some((r) => passingReasons.has(r.Code ?? ''));
  } else {
    // The SDK's own classification, which its retries went by: throttling, timeouts, refused connections, 5xx.
    const sdkError = err as Parameters<typeof isTransientError>[0];
    passing = err instanceof TransactionConflictException || isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
  }
  if (!passing) return undefined;
  const unavailable = new DependencyUnavailable(`${service} cannot do this now: ${err.name}: ${err.message}`);
  unavailable.cause = err;
  return unavailable;
}

/** Whether `err` is a DynamoDB transaction cancelled because another one held one of its items (whatever else it reports). */
export function transactionConflict(err: unknown): boolean {
  const cause = err instanceof DependencyUnavailable ? err.cause : err;
  return cause instanceof TransactionCanceledException && (cause.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
}

/**
 * Makes `client` throw DependencyUnavailable for what unavailableOf names. Every adapter of an AWS client calls it
 * once it has the client; DynamoDB's document clients share the base client's middleware, so documentClient does.
 */
export function reportUnavailable<I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }, service: string): void {
  // In the initialize step, outside the SDK's retries: only what is left after them is mapped. Added again under the
  // same name, it replaces itself, so a client given to several adapters carries it once.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw unavailableOf(err, service) ?? err;
      }
    },
    { step: 'initialize', name: 'dpmUnavailableErrors', override: true },
  );
}
