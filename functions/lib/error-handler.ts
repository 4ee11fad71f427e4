// The one mapping from named errors to HTTP statuses. Messages are shown only below 500.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../../shared/errors.js';
import { logger } from './observability.js';

const statusByCode: Record<string, number> = {
  InvalidInput: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  RuleViolation: 422,
  DependencyUnavailable: 503,
};

export function statusOf(err: unknown): number {
  return err instanceof DomainError ? (statusByCode[err.code] ?? 500) : 500;
}

/**
 * Seconds a client is asked to wait after a 503 (`Retry-After`). By then the SDK has already retried the AWS call
 * with backoff; what is left (throttling, a transaction that met another, a service restarting) clears in seconds.
 */
export const retryAfterSeconds = 2;

/** What the log keeps of a route's failure: every error that is not a named answer, and the causes a 503 hides. */
export function logRouteError(routeKey: string | undefined, err: unknown): void {
  if (!(err instanceof DomainError)) logger.error('Unhandled error', { routeKey, error: err as Error });
  else if (err.code === 'DependencyUnavailable') logger.warn('Dependency unavailable', { routeKey, error: err });
}

export function errorResponse(err: unknown): APIGatewayProxyStructuredResultV2 {
  const status = statusOf(err);
  // The cause stays in the log: it names our services and their answers. The client learns only that trying again
  // is the remedy, and when.
  if (status === 503) {
    return {
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
      body: JSON.stringify({ error: 'DependencyUnavailable', message: 'A service the platform depends on is busy or unavailable. Try again shortly.' }),
    };
  }
  const body =
    status < 500 && err instanceof DomainError
      ? { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }
      : { error: 'InternalError', message: 'Internal Server Error' };
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
