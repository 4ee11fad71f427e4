// Outbound webhooks with fakes of the ports and a hand-moved clock: the Standard Webhooks signature (its published
// test vector), the retry schedule, and a delivery's life: retried on failure, delivered, exhausted, or stopped by a
// 410 that disables its endpoint; listed and replayed by its partner only.
import { describe, expect, it } from 'vitest';
import { Conflict, Forbidden, NotFound, RuleViolation } from '../../../shared/errors.js';
import { hashKeySecret, type PartnerScope } from '../../../shared/partners/api-keys.js';
import {
  attemptDelivery,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  endpointUrlProblem,
  listWebhookDeliveries,
  nextStep,
  publishPartnerEvent,
  replayWebhookDelivery,
  retrySchedule,
  scheduleSpanSeconds,
  type PartnerEvent,
} from '../../../shared/partners/outbound-webhooks.js';
import { secretBytes, signWebhook } from '../../../shared/partners/partners.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';
import { InMemoryDeliveries, InMemoryEndpoints, InMemoryPartnerKeys, manualClock, RecordingQueue, ScriptedSender } from '../../support/fakes/partners.js';
import { createHmac } from 'node:crypto';

describe('the signature', () => {
  it('matches the Standard Webhooks reference vector', () => {
    const secret = secretBytes('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('the retry schedule', () => {
  it('starts at once with the Svix steps, never waits over 12 h (SQS visibility), and spans about 3 days', () => {
    expect(retrySchedule.slice(0, 8)).toEqual([0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(Math.max(...retrySchedule)).toBeLessThanOrEqual(43_200);
    const days = scheduleSpanSeconds() / 86_400;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThan(3.1);
  });

  it('decides the next step from the outcome and the attempts of the run', () => {
    const schedule = [0, 5, 60];
    expect(nextStep('delivered', 1, schedule)).toEqual({ kind: 'delivered' });
    expect(nextStep('gone', 1, schedule)).toEqual({ kind: 'endpoint-gone' });
    expect(nextStep('failed', 1, schedule)).toEqual({ kind: 'retry', afterSeconds: 5 });
    expect(nextStep('failed', 2, schedule)).toEqual({ kind: 'retry', afterSeconds: 60 });
    expect(nextStep('failed', 3, schedule)).toEqual({ kind: 'exhausted' });
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['https://hooks.example.com/dpm', undefined],
    ['http://127.0.0.1:8080/hook', undefined],
    ['http://hooks.example.com/dpm', 'Use https'],
    ['https://169.254.169.254/latest', 'Private'],
    ['https://10.0.0.4/x', 'Private'],
    ['https://user:pw@hooks.example.com/', 'credentials'],
  ])('%s', (url, problem) => {
    const found = endpointUrlProblem(url);
    if (problem) expect(found).toContain(problem);
    else expect(found).toBeUndefined();
  });
});

const partnerId = 'partner-c1';
const schedule = [0, 5, 300];

async function given(script: (number | 'network-error')[], scopes: PartnerScope[] = ['webhooks:manage']) {
  const clock = manualClock();
  const partnerKeys = new InMemoryPartnerKeys();
  const apiKey = `dpmk.00000000000000aa.${'s'.repeat(43)}`;
  await partnerKeys.create({ keyId: '00000000000000aa', partnerId, label: 't', scopes, secretHash: hashKeySecret('00000000000000aa', 's'.repeat(43)), createdAt: '2026-12-01T00:00:00Z' });
  const deps = { partnerKeys, endpoints: new InMemoryEndpoints(), deliveries: new InMemoryDeliveries(), dataKeys: new InMemoryDataKeys(), queue: new RecordingQueue(), sender: new ScriptedSender(script), schedule, ...clock };
  return { deps, clock, apiKey };
}

const event = (eventId = 'order.delivered:ord_1'): PartnerEvent => ({ eventId, type: 'order.delivered', partnerId, occurredAt: '2026-12-02T08:00:00Z', data: { orderId: 'ord_1' } });

describe('a delivery', () => {
  it('is signed with the endpoint’s secret, retried on the schedule after a 500, then delivered; the webhook-id never changes', async () => {
    const { deps, clock, apiKey } = await given([500, 200]);
    const endpoint = await createWebhookEndpoint({ apiKey, url: 'https://hooks.example.com/dpm', eventTypes: ['order.delivered'] }, deps);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const { deliveryIds } = await publishPartnerEvent(event(), deps);
    expect(deliveryIds).toHaveLength(1);
    expect(deps.queue.sent).toEqual([{ deliveryId: deliveryIds[0], delaySeconds: 0 }]);

    const first = await attemptDelivery({ deliveryId: deliveryIds[0]! }, deps);
    expect(first).toEqual({ kind: 'wake-later', afterSeconds: 5 });
    // Woken early (a duplicate message): sent back to sleep, nothing posted.
    clock.advance(2);
    expect(await attemptDelivery({ deliveryId: deliveryIds[0]! }, deps)).toEqual({ kind: 'wake-later', afterSeconds: 3 });
    expect(deps.sender.requests).toHaveLength(1);
    clock.advance(3);
    expect(await attemptDelivery({ deliveryId: deliveryIds[0]! }, deps)).toEqual({ kind: 'done' });

    const [a, b] = deps.sender.requests;
    expect(a!.headers['webhook-id']).toBe(deliveryIds[0]);
    expect(b!.headers['webhook-id']).toBe(deliveryIds[0]);
    expect(b!.body).toBe(a!.body);
    expect(JSON.parse(a!.body)).toEqual({ type: 'order.delivered', timestamp: '2026-12-02T08:00:00Z', data: { orderId: 'ord_1' } });
    const ts = Number(b!.headers['webhook-timestamp']);
    const expected = createHmac('sha256', secretBytes(endpoint.secret)).update(`${deliveryIds[0]}.${ts}.${b!.body}`).digest('base64');
    expect(b!.headers['webhook-signature']).toBe(`v1,${expected}`);

    const [listed] = await listWebhookDeliveries({ apiKey, limit: 10 }, deps);
    expect(listed).toMatchObject({ state: 'delivered', attempts: [{ outcome: 'failed', statusCode: 500 }, { outcome: 'delivered', statusCode: 200 }] });
    // Done: a late duplicate message changes nothing.
    expect(await attemptDelivery({ deliveryId: deliveryIds[0]! }, deps)).toEqual({ kind: 'done' });
    expect(deps.sender.requests).toHaveLength(2);
  });

  it('fails after the last attempt of the schedule, and a replay runs the schedule again', async () => {
    const { deps, clock, apiKey } = await given(['network-error']);
    await createWebhookEndpoint({ apiKey, url: 'https://hooks.example.com/dpm', eventTypes: ['order.delivered'] }, deps);
    const [id] = (await publishPartnerEvent(event(), deps)).deliveryIds;
    for (const wait of [5, 300]) {
      expect(await attemptDelivery({ deliveryId: id! }, deps)).toEqual({ kind: 'wake-later', afterSeconds: wait });
      clock.advance(wait);
    }
    expect(await attemptDelivery({ deliveryId: id! }, deps)).toEqual({ kind: 'done' });
    expect((await deps.deliveries.get(id!))).toMatchObject({ state: 'failed', reason: 'no success after 3 attempts' });

    const replayed = await replayWebhookDelivery({ apiKey, deliveryId: id! }, deps);
    expect(replayed).toMatchObject({ state: 'pending' });
    expect(deps.queue.sent.at(-1)).toEqual({ deliveryId: id, delaySeconds: 0 });
    expect(await attemptDelivery({ deliveryId: id! }, deps)).toEqual({ kind: 'wake-later', afterSeconds: 5 });
    expect((await deps.deliveries.get(id!))!.attempts).toHaveLength(4);
  });

  it('a 410 Gone stops the delivery and disables the endpoint; later events skip it until it is enabled again', async () => {
    const { deps, apiKey } = await given([410]);
    const endpoint = await createWebhookEndpoint({ apiKey, url: 'https://hooks.example.com/dpm', eventTypes: ['order.delivered'] }, deps);
    const [id] = (await publishPartnerEvent(event(), deps)).deliveryIds;
    expect(await attemptDelivery({ deliveryId: id! }, deps)).toEqual({ kind: 'done' });
    expect(await deps.deliveries.get(id!)).toMatchObject({ state: 'failed' });
    expect(await deps.endpoints.get(partnerId, endpoint.endpointId)).toMatchObject({ state: 'disabled', disabledReason: expect.stringContaining('410') });
    expect((await publishPartnerEvent(event('order.delivered:ord_2'), deps)).deliveryIds).toEqual([]);
    await expect(replayWebhookDelivery({ apiKey, deliveryId: id! }, deps)).rejects.toBeInstanceOf(Conflict);
    await enableWebhookEndpoint({ apiKey, endpointId: endpoint.endpointId }, deps);
    expect((await replayWebhookDelivery({ apiKey, deliveryId: id! }, deps)).state).toBe('pending');
  });

  it('publishing the same event twice makes one delivery, and only endpoints subscribed to its type get one', async () => {
    const { deps, apiKey } = await given([200]);
    await createWebhookEndpoint({ apiKey, url: 'https://a.example.com/', eventTypes: ['order.delivered'] }, deps);
    await createWebhookEndpoint({ apiKey, url: 'https://b.example.com/', eventTypes: ['shipment.label_requested'] }, deps);
    const once = await publishPartnerEvent(event(), deps);
    await attemptDelivery({ deliveryId: once.deliveryIds[0]! }, deps);
    const twice = await publishPartnerEvent(event(), deps);
    expect(once.deliveryIds).toHaveLength(1);
    expect(twice.deliveryIds).toEqual([]);
    expect(deps.deliveries.deliveries.size).toBe(1);
  });

  it('a deleted endpoint ends its pending deliveries at their next attempt', async () => {
    const { deps, apiKey } = await given([500]);
    const endpoint = await createWebhookEndpoint({ apiKey, url: 'https://hooks.example.com/', eventTypes: ['order.delivered'] }, deps);
    const [id] = (await publishPartnerEvent(event(), deps)).deliveryIds;
    await deleteWebhookEndpoint({ apiKey, endpointId: endpoint.endpointId }, deps);
    expect(await attemptDelivery({ deliveryId: id! }, deps)).toEqual({ kind: 'done' });
    expect(await deps.deliveries.get(id!)).toMatchObject({ state: 'failed', reason: 'endpoint deleted' });
    expect(deps.sender.requests).toHaveLength(0);
  });
});

describe('managing subscriptions', () => {
  it('needs the webhooks:manage scope (403), refuses unsafe URLs (422), and hides other partners’ deliveries (404)', async () => {
    const { deps, apiKey } = await given([200], ['shipments:read']);
    await expect(createWebhookEndpoint({ apiKey, url: 'https://hooks.example.com/', eventTypes: ['order.delivered'] }, deps)).rejects.toBeInstanceOf(Forbidden);
    const ok = await given([200]);
    await expect(createWebhookEndpoint({ apiKey: ok.apiKey, url: 'http://hooks.example.com/', eventTypes: ['order.delivered'] }, ok.deps)).rejects.toBeInstanceOf(RuleViolation);
    await createWebhookEndpoint({ apiKey: ok.apiKey, url: 'https://hooks.example.com/', eventTypes: ['order.delivered'] }, ok.deps);
    const [id] = (await publishPartnerEvent({ ...event(), partnerId }, ok.deps)).deliveryIds;
    const stranger = { ...(await ok.deps.deliveries.get(id!))!, partnerId: 'partner-other' };
    await ok.deps.deliveries.save(stranger, stranger.revision);
    await expect(replayWebhookDelivery({ apiKey: ok.apiKey, deliveryId: id! }, ok.deps)).rejects.toBeInstanceOf(NotFound);
    await expect(deleteWebhookEndpoint({ apiKey: ok.apiKey, endpointId: 'ep_nope' }, ok.deps)).rejects.toBeInstanceOf(NotFound);
  });
});
