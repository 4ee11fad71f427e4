// Posts outbound webhooks with Node's fetch. A receiver has `timeoutMs` to answer (Standard Webhooks suggests
// answering fast and working later); redirects are not followed, so a 3xx is a failed attempt, not a new target.
import type { SendResult, WebhookSender } from '../partners/outbound-webhooks.js';

export class FetchWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 15_000) {}

  async send(request: { url: string; headers: Record<string, string>; body: string }): Promise<SendResult> {
    try {
      const res = await fetch(request.url, { method: 'POST', headers: { 'user-agent': 'DPM-Webhooks/1', ...request.headers }, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      // The body is not read beyond what frees the connection: receivers' answers are not recorded.
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'response', statusCode: res.status };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { kind: 'network-error', message: e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}` };
    }
  }
}
