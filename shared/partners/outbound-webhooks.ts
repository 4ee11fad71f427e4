// Outbound webhooks to partners, the Standard Webhooks way: each partner subscribes endpoints (a URL, event types, a
// `whsec_` secret shown once) and every event becomes one delivery per subscribed endpoint. A delivery is signed with
// the endpoint's secret (webhook-id, webhook-timestamp, webhook-signature: v1,base64(HMAC-SHA256(id.timestamp.body))),
// keeps the same webhook-id on every attempt so receivers can drop duplicates, is retried on the schedule below, and
// records each attempt. A 410 Gone disables its endpoint. The delivery record is the truth; the queue message that
// carries a delivery to its next attempt is only a wake-up call (see attemptDelivery).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { open, seal, type DataKeys } from '../crypto/envelope.js';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import { authorizePartner, type PartnerKeys } from './api-keys.js';
import { signWebhook } from './partners.js';

export const webhookEventTypes = ['shipment.label_requested', 'order.delivered'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * Seconds to wait before each attempt: immediately, then the Standard Webhooks (Svix) schedule of 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h (~27.6 h), then 11 h four times: the 12th and last attempt comes ~71.6 h (~3 days) after the
 * event. No wait is longer than 12 h, the most an SQS message can be hidden (ChangeMessageVisibility), which is how
 * the delivery worker waits between attempts.
 */
export const retrySchedule: readonly number[] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000, 39_600, 39_600, 39_600, 39_600];

export const CreateEndpointInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  eventTypes: z
    .array(z.enum(webhookEventTypes))
    .min(1)
    .max(webhookEventTypes.length)
    .transform((t) => [...new Set(t)].sort() as WebhookEventType[]),
  description: z.string().trim().max(200).optional(),
});
export type CreateEndpointInput = z.infer<typeof CreateEndpointInput>;

export const ListDeliveriesQuery = z.strictObject({
  endpointId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export interface WebhookEndpoint {
  endpointId: string;
  partnerId: string;
  url: string;
  eventTypes: WebhookEventType[];
  description?: string;
  /** The `whsec_` secret, sealed under a data key bound to the endpoint. */
  sealedSecret: string;
  state: 'enabled' | 'disabled';
  disabledReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  at: string;
  /** `delivered`: a 2xx; `gone`: a 410; `failed`: anything else, a network error included. */
  outcome: 'delivered' | 'gone' | 'failed';
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface WebhookDelivery {
  /** Also the webhook-id header: the same on every attempt and replay of this event to this endpoint. */
  deliveryId: string;
  partnerId: string;
  endpointId: string;
  eventType: WebhookEventType;
  eventId: string;
  /** The exact body sent (and signed) on every attempt. */
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  /** Why a delivery stopped without being delivered. */
  reason?: string;
  attempts: DeliveryAttempt[];
  /** Index in `attempts` where the current run of the schedule began (a replay starts a new run). */
  runStart: number;
  nextAttemptAt?: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface WebhookEndpoints {
  create(e: WebhookEndpoint): Promise<void>;
  get(partnerId: string, endpointId: string): Promise<WebhookEndpoint | undefined>;
  listByPartner(partnerId: string): Promise<WebhookEndpoint[]>;
  save(e: WebhookEndpoint): Promise<void>;
  delete(partnerId: string, endpointId: string): Promise<boolean>;
}

export interface WebhookDeliveries {
  /** False if the delivery exists already. */
  create(d: WebhookDelivery): Promise<boolean>;
  get(deliveryId: string): Promise<WebhookDelivery | undefined>;
  /** Writes only if the stored revision is `expectedRevision`; false on a lost race. */
  save(d: WebhookDelivery, expectedRevision: number): Promise<boolean>;
  /** A partner's deliveries, newest first. */
  listByPartner(partnerId: string, limit: number): Promise<WebhookDelivery[]>;
}

/** Wakes a delivery's worker after `delaySeconds` (at most 15 min at first send; later waits use message visibility). */
export interface DeliveryQueue {
  enqueue(deliveryId: string, delaySeconds: number): Promise<void>;
}

export type SendResult = { kind: 'response'; statusCode: number } | { kind: 'network-error'; message: string };

/** Posts a signed webhook. Redirects are not followed: a 3xx counts as a failure, as in Standard Webhooks. */
export interface WebhookSender {
  send(request: { url: string; headers: Record<string, string>; body: string }): Promise<SendResult>;
}

// ---- Pure rules ----

/** What follows an attempt, given how many attempts this run of the schedule has made (this one included). */
export type NextStep = { kind: 'delivered' } | { kind: 'endpoint-gone' } | { kind: 'retry'; afterSeconds: number } | { kind: 'exhausted' };

export function outcomeOf(result: SendResult): DeliveryAttempt['outcome'] {
  if (result.kind === 'network-error') return 'failed';
  if (result.statusCode >= 200 && result.statusCode < 300) return 'delivered';
  return result.statusCode === 410 ? 'gone' : 'failed';
}

export function nextStep(outcome: DeliveryAttempt['outcome'], attemptsInRun: number, schedule: readonly number[] = retrySchedule): NextStep {
  switch (outcome) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'gone':
      return { kind: 'endpoint-gone' };
    case 'failed':
      return attemptsInRun < schedule.length ? { kind: 'retry', afterSeconds: schedule[attemptsInRun]! } : { kind: 'exhausted' };
    default: {
      const never: never = outcome;
      throw new Error(`Unhandled outcome ${String(never)}`);
    }
  }
}

/** Total span of a schedule, seconds from the event to the last attempt. */
export const scheduleSpanSeconds = (schedule: readonly number[] = retrySchedule) => schedule.reduce((a, b) => a + b, 0);

/** The headers of one attempt. */
export function signedHeaders(secret: Uint8Array, webhookId: string, timestampSeconds: number, body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signWebhook(secret, webhookId, timestampSeconds, body) };
}

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the platform will post: https anywhere public, plain http only to this machine's loopback (the embedded
 * platform's receivers; in AWS nothing listens there). Link-local and private address literals are refused so an
 * endpoint cannot aim the worker at the cloud's metadata service or the VPC. Names resolving to such addresses are not
 * caught here; the worker runs outside any VPC, which is what keeps them out of reach.
 */
export function endpointUrlProblem(raw: string): string | undefined {
  const url = new URL(raw);
  if (url.username || url.password) return 'The URL must not carry credentials';
  if (url.protocol === 'http:' && !loopback.has(url.hostname)) return 'Use https (plain http is only for loopback receivers)';
  if (url.protocol === 'https:' && /^(169\.254\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.|\[f[cde])/i.test(url.hostname)) return 'Private and link-local addresses are not reachable webhook endpoints';
  return undefined;
}

export const deliveryIdFor = (eventId: string, endpointId: string) => `msg_${createHash('sha256').update(`${eventId}|${endpointId}`).digest('hex').slice(0, 32)}`;
const endpointSecretContext = (endpointId: string) => ({ purpose: 'webhook-endpoint-secret', endpoint: endpointId });

const maxEndpointsPerPartner = 10;

/** At most this many attempts are kept on a delivery record; older ones drop off after repeated replays. */
const keptAttempts = 60;

export const endpointView = (e: WebhookEndpoint) => ({
  endpointId: e.endpointId,
  url: e.url,
  eventTypes: e.eventTypes,
  ...(e.description ? { description: e.description } : {}),
  state: e.state,
  ...(e.disabledReason ? { disabledReason: e.disabledReason } : {}),
  createdAt: e.createdAt,
});

export const deliveryView = (d: WebhookDelivery) => ({
  deliveryId: d.deliveryId,
  endpointId: d.endpointId,
  eventType: d.eventType,
  eventId: d.eventId,
  state: d.state,
  ...(d.reason ? { reason: d.reason } : {}),
  attempts: d.attempts,
  nextAttemptAt: d.state === 'pending' ? (d.nextAttemptAt ?? null) : null,
  createdAt: d.createdAt,
  payload: JSON.parse(d.body) as unknown,
});

// ---- Use cases: subscriptions (the partner, with the webhooks:manage scope) ----

interface EndpointDeps {
  partnerKeys: PartnerKeys;
  endpoints: WebhookEndpoints;
  dataKeys: DataKeys;
  now: () => Date;
}

type Keyed = { apiKey: string | undefined };
const manager = (apiKey: string | undefined, deps: { partnerKeys: PartnerKeys }) => authorizePartner(apiKey, 'webhooks:manage', deps);

export async function createWebhookEndpoint(input: CreateEndpointInput & Keyed, deps: EndpointDeps & { random?: (n: number) => Buffer }) {
  const { partnerId } = await manager(input.apiKey, deps);
  const problem = endpointUrlProblem(input.url);
  if (problem) throw new RuleViolation(problem);
  // Each endpoint multiplies every event's deliveries; a partner needs a few (one per environment), not hundreds.
  if ((await deps.endpoints.listByPartner(partnerId)).length >= maxEndpointsPerPartner) throw new RuleViolation(`A partner has at most ${maxEndpointsPerPartner} webhook endpoints`);
  const random = deps.random ?? randomBytes;
  const endpointId = `ep_${random(12).toString('hex')}`;
  const secret = random(32);
  const sealed = Buffer.from(await seal(secret, deps.dataKeys, endpointSecretContext(endpointId))).toString('base64');
  const at = deps.now().toISOString();
  const endpoint: WebhookEndpoint = { endpointId, partnerId, url: input.url, eventTypes: input.eventTypes, ...(input.description ? { description: input.description } : {}), sealedSecret: sealed, state: 'enabled', createdAt: at, updatedAt: at };
  await deps.endpoints.create(endpoint);
  const shown = `whsec_${secret.toString('base64')}`;
  secret.fill(0);
  return { ...endpointView(endpoint), secret: shown };
}

export async function listWebhookEndpoints(input: Keyed, deps: { partnerKeys: PartnerKeys; endpoints: WebhookEndpoints }) {
  const { partnerId } = await manager(input.apiKey, deps);
  return (await deps.endpoints.listByPartner(partnerId)).map(endpointView);
}

/** Pending deliveries to a deleted endpoint stop at their next attempt. Another partner's endpoint is a 404. */
export async function deleteWebhookEndpoint(input: Keyed & { endpointId: string }, deps: { partnerKeys: PartnerKeys; endpoints: WebhookEndpoints }) {
  const { partnerId } = await manager(input.apiKey, deps);
  if (!(await deps.endpoints.delete(partnerId, input.endpointId))) throw new NotFound(`Endpoint ${input.endpointId} not found`);
}

/** Turns a disabled endpoint (after a 410 Gone, say) back on; deliveries that stopped can then be replayed. */
export async function enableWebhookEndpoint(input: Keyed & { endpointId: string }, deps: { partnerKeys: PartnerKeys; endpoints: WebhookEndpoints; now: () => Date }) {
  const { partnerId } = await manager(input.apiKey, deps);
  const endpoint = await deps.endpoints.get(partnerId, input.endpointId);
  if (!endpoint) throw new NotFound(`Endpoint ${input.endpointId} not found`);
  if (endpoint.state === 'enabled') return endpointView(endpoint);
  const enabled: WebhookEndpoint = { ...endpoint, state: 'enabled', updatedAt: deps.now().toISOString() };
  delete enabled.disabledReason;
  await deps.endpoints.save(enabled);
  return endpointView(enabled);
}

export async function listWebhookDeliveries(input: Keyed & { endpointId?: string; limit: number }, deps: { partnerKeys: PartnerKeys; deliveries: WebhookDeliveries }) {
  const { partnerId } = await manager(input.apiKey, deps);
  const all = await deps.deliveries.listByPartner(partnerId, input.endpointId ? 500 : input.limit);
  return all.filter((d) => !input.endpointId || d.endpointId === input.endpointId).slice(0, input.limit).map(deliveryView);
}

/** Runs a delivery through the schedule again, with the same webhook-id: delivered, failed or still pending alike. */
export async function replayWebhookDelivery(input: Keyed & { deliveryId: string }, deps: { partnerKeys: PartnerKeys; deliveries: WebhookDeliveries; endpoints: WebhookEndpoints; queue: DeliveryQueue; now: () => Date }) {
  const { partnerId } = await manager(input.apiKey, deps);
  const d = await deps.deliveries.get(input.deliveryId);
  if (!d || d.partnerId !== partnerId) throw new NotFound(`Delivery ${input.deliveryId} not found`);
  const endpoint = await deps.endpoints.get(d.partnerId, d.endpointId);
  if (!endpoint) throw new Conflict(`Endpoint ${d.endpointId} was deleted; this delivery cannot be replayed`);
  if (endpoint.state !== 'enabled') throw new Conflict(`Endpoint ${d.endpointId} is disabled (${endpoint.disabledReason ?? 'disabled'}); enable it first`);
  const at = deps.now().toISOString();
  const replayed: WebhookDelivery = { ...d, state: 'pending', runStart: d.attempts.length, nextAttemptAt: at, updatedAt: at, revision: d.revision + 1 };
  delete replayed.reason;
  if (!(await deps.deliveries.save(replayed, d.revision))) throw new Conflict(`Delivery ${d.deliveryId} is being attempted; try again`);
  await deps.queue.enqueue(d.deliveryId, 0);
  return deliveryView(replayed);
}

// ---- Use cases: the platform's side ----

export interface PartnerEvent {
  /** Unique per event; with the endpoint it names the delivery, so publishing the same event twice is harmless. */
  eventId: string;
  type: WebhookEventType;
  partnerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * Turns an event for a partner into one pending delivery per enabled endpoint subscribed to its type, and wakes each.
 * Idempotent on the event id: a delivery that exists is not made twice, and is woken again only while pending (a crash
 * between the record and the wake-up must not strand it; the worker's due-time check absorbs the extra wake-up).
 */
export async function publishPartnerEvent(event: PartnerEvent, deps: { endpoints: WebhookEndpoints; deliveries: WebhookDeliveries; queue: DeliveryQueue; now: () => Date }) {
  const endpoints = (await deps.endpoints.listByPartner(event.partnerId)).filter((e) => e.state === 'enabled' && e.eventTypes.includes(event.type));
  const at = deps.now().toISOString();
  const body = JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
  const deliveryIds: string[] = [];
  for (const e of endpoints) {
    const delivery: WebhookDelivery = {
      deliveryId: deliveryIdFor(event.eventId, e.endpointId),
      partnerId: event.partnerId,
      endpointId: e.endpointId,
      eventType: event.type,
      eventId: event.eventId,
      body,
      state: 'pending',
      attempts: [],
      runStart: 0,
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
      revision: 1,
    };
    const created = await deps.deliveries.create(delivery);
    if (!created && (await deps.deliveries.get(delivery.deliveryId))?.state !== 'pending') continue;
    await deps.queue.enqueue(delivery.deliveryId, 0);
    deliveryIds.push(delivery.deliveryId);
  }
  return { deliveryIds };
}

export interface AttemptDeps {
  deliveries: WebhookDeliveries;
  endpoints: WebhookEndpoints;
  dataKeys: DataKeys;
  sender: WebhookSender;
  now: () => Date;
  /** The retry schedule; passed in so tests run it in milliseconds. */
  schedule: readonly number[];
}

/** What the worker does with the message that woke it: drop it, or hide it until the next attempt is due. */
export type WorkerAction = { kind: 'done' } | { kind: 'wake-later'; afterSeconds: number };

/**
 * One attempt of a delivery, if one is due. A message that arrives early (a duplicate, a replay's extra wake-up) is
 * sent back to sleep until the due time; one for a delivery that is no longer pending is dropped. The attempt is
 * recorded with a conditional write, so of two workers woken for the same delivery only one moves it on. A crash
 * after the POST and before the record repeats the POST on the next wake-up, with the same webhook-id.
 */
export async function attemptDelivery(input: { deliveryId: string }, deps: AttemptDeps): Promise<WorkerAction> {
  const d = await deps.deliveries.get(input.deliveryId);
  if (!d || d.state !== 'pending') return { kind: 'done' };
  const now = deps.now();
  const dueInMs = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) - now.getTime() : 0;
  if (dueInMs > 500) return { kind: 'wake-later', afterSeconds: Math.ceil(dueInMs / 1000) };

  const endpoint = await deps.endpoints.get(d.partnerId, d.endpointId);
  if (!endpoint || endpoint.state !== 'enabled') {
    await settle(d, deps, { state: 'failed', reason: endpoint ? `endpoint disabled: ${endpoint.disabledReason ?? 'disabled'}` : 'endpoint deleted' });
    return { kind: 'done' };
  }

  const secret = await open(Buffer.from(endpoint.sealedSecret, 'base64'), deps.dataKeys, endpointSecretContext(endpoint.endpointId));
  const headers = signedHeaders(secret, d.deliveryId, Math.floor(now.getTime() / 1000), d.body);
  secret.fill(0);
  const started = Date.now();
  const result = await deps.sender.send({ url: endpoint.url, headers, body: d.body });
  const attempt: DeliveryAttempt = {
    at: now.toISOString(),
    outcome: outcomeOf(result),
    ...(result.kind === 'response' ? { statusCode: result.statusCode } : { error: result.message.slice(0, 300) }),
    durationMs: Date.now() - started,
  };
  const attempts = [...d.attempts, attempt];
  const step = nextStep(attempt.outcome, attempts.length - d.runStart, deps.schedule);
  const at = deps.now();
  switch (step.kind) {
    case 'delivered':
      await settle(d, deps, { state: 'delivered', attempts });
      return { kind: 'done' };
    case 'endpoint-gone':
      await settle(d, deps, { state: 'failed', reason: 'endpoint answered 410 Gone; it was disabled', attempts });
      await deps.endpoints.save({ ...endpoint, state: 'disabled', disabledReason: `410 Gone at ${attempt.at}`, updatedAt: at.toISOString() });
      return { kind: 'done' };
    case 'exhausted':
      await settle(d, deps, { state: 'failed', reason: `no success after ${attempts.length - d.runStart} attempts`, attempts });
      return { kind: 'done' };
    case 'retry': {
      const next = new Date(at.getTime() + step.afterSeconds * 1000).toISOString();
      const saved = await deps.deliveries.save({ ...d, ...kept(attempts, d.runStart), nextAttemptAt: next, updatedAt: at.toISOString(), revision: d.revision + 1 }, d.revision);
      // Lost race: another worker recorded this attempt and holds the wake-up for the next one.
      return saved ? { kind: 'wake-later', afterSeconds: step.afterSeconds } : { kind: 'done' };
    }
    default: {
      const never: never = step;
      throw new Error(`Unhandled step ${JSON.stringify(never)}`);
    }
  }
}

/** The attempts to keep, and where the current run starts among them once older attempts dropped off. */
function kept(attempts: DeliveryAttempt[], runStart: number): { attempts: DeliveryAttempt[]; runStart: number } {
  const dropped = Math.max(0, attempts.length - keptAttempts);
  return { attempts: attempts.slice(dropped), runStart: Math.max(0, runStart - dropped) };
}

async function settle(d: WebhookDelivery, deps: Pick<AttemptDeps, 'deliveries' | 'now'>, change: { state: 'delivered' | 'failed'; reason?: string; attempts?: DeliveryAttempt[] }) {
  const settled: WebhookDelivery = { ...d, state: change.state, ...kept(change.attempts ?? d.attempts, d.runStart), updatedAt: deps.now().toISOString(), revision: d.revision + 1, ...(change.reason ? { reason: change.reason } : {}) };
  delete settled.nextAttemptAt;
  await deps.deliveries.save(settled, d.revision);
}
