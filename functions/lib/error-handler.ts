// The one mapping from named errors to HTTP statuses. Messages are shown only below 500.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../../shared/errors.js';

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

export function errorResponse(err: unknown): APIGatewayProxyStructuredResultV2 {
  const status = statusOf(err);
  const body =
    status < 500 && err instanceof DomainError
      ? { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }
      : { error: 'InternalError', message: 'Internal Server Error' };
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
