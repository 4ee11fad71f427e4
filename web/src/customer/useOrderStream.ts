// The order as the platform pushes it (GET /orders/{id}/events, Server-Sent Events): each change arrives without a
// reload. A stream ends after about a minute, or drops; it is then opened again, after the server's retry delay.
import { useEffect, useState } from 'react';
import type { OrderView } from '../../../shared/orders/order';
import { ApiError, apiUrl, authHeaders } from '../api/client';
import { endedStatuses, SseParser } from './tracking';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'refused';

export function useOrderStream(orderId: string): { order: OrderView | undefined; state: StreamState; error: unknown } {
  const [order, setOrder] = useState<OrderView>();
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const ac = new AbortController();
    let failures = 0;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    async function follow(): Promise<void> {
      while (!ac.signal.aborted) {
        const parser = new SseParser();
        let last: OrderView | undefined;
        try {
          const res = await fetch(apiUrl(`/orders/${encodeURIComponent(orderId)}/events`), { headers: { accept: 'text/event-stream', ...(await authHeaders()) }, signal: ac.signal });
          if (!res.ok) {
            const body = (await res.json().catch(() => ({}))) as { message?: string };
            throw new ApiError(res.status, res.status < 500 && body.message ? body.message : 'Live tracking is unavailable right now; the page will keep trying.');
          }
          setState('live');
          setError(undefined);
          failures = 0;
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const e of parser.push(value)) {
              if (e.event !== 'order') continue;
              last = JSON.parse(e.data) as OrderView;
              setOrder(last);
            }
          }
        } catch (err) {
          if (ac.signal.aborted) return;
          // Someone else's order, or signed out: trying again would not help.
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
            setError(err);
            setState('refused');
            return;
          }
          failures++;
          if (failures >= 3) setError(err);
        }
        if (last && endedStatuses.has(last.status)) {
          setState('ended');
          return;
        }
        setState('reconnecting');
        await pause(Math.min(30_000, (parser.retryMs ?? 1000) * 2 ** Math.min(failures, 5)));
      }
    }
    void follow();
    return () => ac.abort();
  }, [orderId]);

  return { order, state, error };
}
