// The API's answers to named errors, through the HTTP edge every handler is built with: a dependency that is busy or
// down is a 503 that says when to try again and hides the cause (it names our services), which goes to the log.
import { describe, expect, it, vi } from 'vitest';
import { errorResponse, retryAfterSeconds } from '../../../functions/lib/error-handler.js';
import { httpRoute } from '../../../functions/lib/http.js';
import { logger } from '../../../functions/lib/observability.js';
import { Conflict, DependencyUnavailable } from '../../../shared/errors.js';

const failingWith = (err: Error) => httpRoute({ run: async () => Promise.reject(err) });
const call = async (err: Error) =>
  (await failingWith(err)({ routeKey: 'GET /health', rawPath: '/health', headers: {}, requestContext: {} } as never, {} as never)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };

describe('error answers', () => {
  it('a dependency unavailable is a 503 with Retry-After, a stable code and no cause, which is logged instead', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const cause = new DependencyUnavailable('dynamodb: ThrottlingException on dpm-main');
    const res = await call(cause);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe(String(retryAfterSeconds));
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const body = JSON.parse(res.body) as { error: string; message: string };
    expect(body.error).toBe('DependencyUnavailable');
    expect(res.body).not.toContain('dynamodb');
    expect(res.body).not.toContain('dpm-main');
    expect(warn).toHaveBeenCalledWith('Dependency unavailable', expect.objectContaining({ routeKey: 'GET /health', error: cause }));
    warn.mockRestore();
  });

  it('other answers are unchanged: a rule below 500 with its message, anything unnamed a bare 500 without Retry-After', async () => {
    const conflict = await call(new Conflict('The order changed meanwhile'));
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(conflict.body)).toEqual({ error: 'Conflict', message: 'The order changed meanwhile' });
    expect(conflict.headers['retry-after']).toBeUndefined();
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const crash = await call(new TypeError('x is undefined'));
    expect(crash.statusCode).toBe(500);
    expect(JSON.parse(crash.body)).toEqual({ error: 'InternalError', message: 'Internal Server Error' });
    expect(crash.headers['retry-after']).toBeUndefined();
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
    expect(errorResponse('not even an error').statusCode).toBe(500);
  });
});
