// Order tracking without the page: Server-Sent Events parsed from a byte stream (fetch, so the request carries the
// bearer token, which EventSource cannot), and the status timeline a customer reads.

export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds text chunks in, gets whole events out; a frame split across chunks waits for its end. */
export class SseParser {
  private buffer = '';
  /** Milliseconds the server asked the client to wait before reconnecting. */
  retryMs: number | undefined;

  push(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    let cut;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
      }
      if (data.length) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

export const timelineSteps = [
  { status: 'placed', label: 'Order placed' },
  { status: 'licensed', label: 'Licence reserved' },
  { status: 'paid', label: 'Paid into escrow' },
  { status: 'dispatched', label: 'Sent to the printer' },
  { status: 'printing', label: 'Printing' },
  { status: 'printed', label: 'Printed and tagged' },
  { status: 'shipped', label: 'Shipped' },
  { status: 'delivered', label: 'Delivered' },
  { status: 'completed', label: 'Completed: the printer and designer are paid' },
] as const;

export type StepState = 'done' | 'current' | 'todo';

/** Each step of the timeline as done, current or still to come; an ended order marks where it stopped. */
export function timeline(status: string): { status: string; label: string; state: StepState }[] {
  const at = timelineSteps.findIndex((s) => s.status === status);
  if (at < 0) return timelineSteps.map((s) => ({ ...s, state: 'todo' as const }));
  return timelineSteps.map((s, i) => ({ ...s, state: i < at || status === 'completed' ? 'done' : i === at ? 'current' : 'todo' }));
}

export const endedStatuses = new Set(['completed', 'refunded', 'cancelled']);

/** "Layer 12 of 40", and how long until the expected finish, in words. */
export function progressText(p: { layer: number; layers: number; expectedFinishAt: string }, now: Date): { layers: string; finish: string } {
  const ms = Date.parse(p.expectedFinishAt) - now.getTime();
  const minutes = Math.round(ms / 60_000);
  const finish = ms <= 0 ? 'finishing now' : minutes < 1 ? 'in under a minute' : minutes < 90 ? `in about ${minutes} min` : `in about ${Math.round(minutes / 60)} h`;
  return { layers: `Layer ${p.layer} of ${p.layers}`, finish };
}

const labels: Record<string, string> = {
  ...Object.fromEntries(timelineSteps.map((s) => [s.status, s.label])),
  completed: 'Completed',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

export function statusLabel(status: string): string {
  return labels[status] ?? status;
}
