// Live order tracking over the platform's own stream: while a simulated printer prints, GET /orders/{id}/events
// (Server-Sent Events, served the way a response-streaming Lambda would be) sends the order again as each layer is
// reported, to its customer only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPrinter, listDesign, type PrinterAgent } from '../support/marketplace.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { deliveryAddress } from '../support/fleet.js';

type Tracked = { status: string; progress?: { layer: number; layers: number; percent: number; expectedFinishAt: string } };

/** Reads an SSE response's `order` events until `stop` says so or the stream ends. */
async function readEvents(res: Response, stop: (e: Tracked) => boolean): Promise<Tracked[]> {
  const seen: Tracked[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (!/^event: order$/m.test(frame)) continue;
      const e = JSON.parse(/^data: (.*)$/m.exec(frame)![1]!) as Tracked;
      seen.push(e);
      if (stop(e)) {
        await reader.cancel();
        return seen;
      }
    }
  }
}

describe('tracking an order live', () => {
  let t: TestPlatform;
  const agents: PrinterAgent[] = [];
  let designId = '';
  let printerId = '';

  beforeAll(async () => {
    t = await startTestPlatform();
    designId = await listDesign(t, 'Tracked hook', { priceCents: 900, royaltyCents: 400, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false }, [20, 20, 6]);
    // Slow enough that the layers are reported over several seconds (13 s; the stream reads the order once a second).
    printerId = await addPrinter(t, agents, 'Slow MK3', { timeScale: 40 });
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await t?.close();
  });

  it('streams layer x of y as the printer reports it, and only to those who may see the order', async () => {
    const q = (await (await t.api('/quotes', 'customer', { method: 'POST', body: JSON.stringify({ designId, material: 'PLA', printerId }) })).json()) as { licenseVersion: number; printerTermsVersion: number };
    const placed = await t.api('/orders', 'customer', {
      method: 'POST',
      body: JSON.stringify({ clientOrderId: crypto.randomUUID(), designId, material: 'PLA', printerId, acceptedLicenseVersion: q.licenseVersion, acceptedPrinterTermsVersion: q.printerTermsVersion, paymentMethod: '4242 4242 4242 4242', deliverTo: deliveryAddress }),
    });
    expect(placed.status).toBe(201);
    const { orderId } = (await placed.json()) as { orderId: string };

    expect((await t.api(`/orders/${orderId}/events`, 'partner')).status).toBe(404);
    expect((await t.api(`/orders/${orderId}/events`)).status).toBe(401);

    const over = (e: Tracked | undefined) => ['printed', 'shipped', 'completed', 'refunded', 'cancelled'].includes(e?.status ?? '');
    // A stream lasts under a minute and the client opens another, as the web app does: on a loaded machine the order
    // can take that long to reach its printer. Each stream starts with the order as it is, then its changes.
    const streams: Tracked[][] = [];
    for (let i = 0; i < 4 && !over(streams.at(-1)?.at(-1)); i++) {
      const res = await t.api(`/orders/${orderId}/events`, 'customer');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      streams.push(await readEvents(res, over));
    }
    const events = streams.flat();
    const seen = JSON.stringify(streams.map((s) => s.map((e) => [e.status, e.progress?.layer])));
    expect(over(events.at(-1)), seen).toBe(true);
    const layers = events.flatMap((e) => (e.progress ? [e.progress.layer] : []));
    // Several progress events arrived on one open stream, each a later layer of the same total.
    expect(Math.max(...streams.map((s) => new Set(s.flatMap((e) => (e.progress ? [e.progress.layer] : []))).size)), seen).toBeGreaterThanOrEqual(3);
    expect(layers).toEqual([...layers].sort((a, b) => a - b));
    const withProgress = events.filter((e) => e.progress);
    expect(new Set(withProgress.map((e) => e.progress!.layers)).size).toBe(1);
    expect(withProgress.every((e) => !Number.isNaN(Date.parse(e.progress!.expectedFinishAt)))).toBe(true);
    expect(events.map((e) => e.status)).toContain('printing');
    expect(events.at(-1)!.status).not.toMatch(/refunded|cancelled/);
  }, 240_000);
});
