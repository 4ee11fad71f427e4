// In-memory implementations of the partners ports, for unit tests of the use cases. They keep the real adapters'
// contracts (conditional creates, writes on a revision), which the integration tests check on DynamoDB Local.
import type { PartnerKey, PartnerKeys } from '../../../shared/partners/api-keys.js';
import type { DeliveryQueue, SendResult, WebhookDeliveries, WebhookDelivery, WebhookEndpoint, WebhookEndpoints, WebhookSender } from '../../../shared/partners/outbound-webhooks.js';
import type { Partner, PartnerStore } from '../../../shared/partners/partners.js';

const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryPartners implements PartnerStore {
  readonly partners = new Map<string, Partner>();
  readonly seen = new Set<string>();
  async create(p: Partner) {
    this.partners.set(p.partnerId, clone(p));
  }
  async get(id: string) {
    const p = this.partners.get(id);
    return p && clone(p);
  }
  async list(kind: Partner['kind']) {
    return [...this.partners.values()].filter((p) => p.kind === kind).map(clone);
  }
  async firstDelivery(partnerId: string, webhookId: string) {
    const k = `${partnerId}#${webhookId}`;
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    return true;
  }
  async handledBefore(partnerId: string, webhookId: string) {
    return this.seen.has(`${partnerId}#${webhookId}`);
  }
}

export class InMemoryPartnerKeys implements PartnerKeys {
  readonly keys = new Map<string, PartnerKey>();
  async create(k: PartnerKey) {
    if (this.keys.has(k.keyId)) return false;
    this.keys.set(k.keyId, clone(k));
    return true;
  }
  async get(id: string) {
    const k = this.keys.get(id);
    return k && clone(k);
  }
  async listByPartner(partnerId: string) {
    return [...this.keys.values()].filter((k) => k.partnerId === partnerId).map(clone);
  }
  async revoke(keyId: string, at: string) {
    const k = this.keys.get(keyId);
    if (!k) return undefined;
    k.revokedAt ??= at;
    return clone(k);
  }
}

export class InMemoryEndpoints implements WebhookEndpoints {
  readonly endpoints = new Map<string, WebhookEndpoint>();
  async create(e: WebhookEndpoint) {
    this.endpoints.set(e.endpointId, clone(e));
  }
  async get(partnerId: string, id: string) {
    const e = this.endpoints.get(id);
    return e && e.partnerId === partnerId ? clone(e) : undefined;
  }
  async listByPartner(partnerId: string) {
    return [...this.endpoints.values()].filter((e) => e.partnerId === partnerId).map(clone);
  }
  async save(e: WebhookEndpoint) {
    if (this.endpoints.has(e.endpointId)) this.endpoints.set(e.endpointId, clone(e));
  }
  async delete(partnerId: string, id: string) {
    return this.endpoints.get(id)?.partnerId === partnerId && this.endpoints.delete(id);
  }
}

export class InMemoryDeliveries implements WebhookDeliveries {
  readonly deliveries = new Map<string, WebhookDelivery>();
  async create(d: WebhookDelivery) {
    if (this.deliveries.has(d.deliveryId)) return false;
    this.deliveries.set(d.deliveryId, clone(d));
    return true;
  }
  async get(id: string) {
    const d = this.deliveries.get(id);
    return d && clone(d);
  }
  async save(d: WebhookDelivery, expected: number) {
    if (this.deliveries.get(d.deliveryId)?.revision !== expected) return false;
    this.deliveries.set(d.deliveryId, clone(d));
    return true;
  }
  async listByPartner(partnerId: string, limit: number) {
    return [...this.deliveries.values()].filter((d) => d.partnerId === partnerId).reverse().slice(0, limit).map(clone);
  }
}

export class RecordingQueue implements DeliveryQueue {
  readonly sent: { deliveryId: string; delaySeconds: number }[] = [];
  async enqueue(deliveryId: string, delaySeconds: number) {
    this.sent.push({ deliveryId, delaySeconds });
  }
}

/** Answers each request with the next scripted result (the last one repeats), and keeps what it was sent. */
export class ScriptedSender implements WebhookSender {
  readonly requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  constructor(private readonly script: (number | 'network-error')[]) {}
  async send(request: { url: string; headers: Record<string, string>; body: string }): Promise<SendResult> {
    const next = this.script[Math.min(this.requests.length, this.script.length - 1)]!;
    this.requests.push(request);
    return next === 'network-error' ? { kind: 'network-error', message: 'connect ECONNREFUSED' } : { kind: 'response', statusCode: next };
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-12-02T08:00:00Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (seconds: number) => void (t += seconds * 1000) };
}
