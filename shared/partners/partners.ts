// Partners (carriers, material suppliers, shops) and their inbound webhooks. A partner's webhook secret is made here,
// shown once, and kept sealed under a KMS data key bound to the partner; webhooks are checked the Standard Webhooks
// way (webhook-id, webhook-timestamp, webhook-signature: v1,base64(HMAC-SHA256(secret, id.timestamp.body)))
// and each webhook id is handled once.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { open, seal, type DataKeys } from '../crypto/envelope.js';
import { InvalidInput, NotFound, Unauthenticated } from '../errors.js';

export const RegisterPartnerInput = z.strictObject({
  name: z.string().trim().min(2).max(120),
  kind: z.enum(['carrier', 'supplier', 'shop']),
});
export type RegisterPartnerInput = z.infer<typeof RegisterPartnerInput>;

export interface Partner {
  partnerId: string;
  name: string;
  kind: RegisterPartnerInput['kind'];
  sealedWebhookSecret: string;
  createdAt: string;
}

export interface PartnerStore {
  create(p: Partner): Promise<void>;
  get(partnerId: string): Promise<Partner | undefined>;
  list(kind: Partner['kind']): Promise<Partner[]>;
  /** Records a webhook id; false if it was handled before (a replay or a retry). */
  firstDelivery(partnerId: string, webhookId: string, expiresAt: number): Promise<boolean>;
}

const secretContext = (partnerId: string) => ({ purpose: 'webhook-secret', partner: partnerId });

export async function registerPartner(input: RegisterPartnerInput, deps: { partners: PartnerStore; dataKeys: DataKeys; newId: () => string; now: () => Date }) {
  const partnerId = `partner-${deps.newId()}`;
  const secret = randomBytes(32);
  const sealed = await seal(secret, deps.dataKeys, secretContext(partnerId));
  await deps.partners.create({ partnerId, name: input.name, kind: input.kind, sealedWebhookSecret: Buffer.from(sealed).toString('base64'), createdAt: deps.now().toISOString() });
  return { partnerId, name: input.name, kind: input.kind, webhookSecret: `whsec_${secret.toString('base64')}` };
}

/** Signs a webhook as Standard Webhooks does; partners (and our tests) sign, we verify. */
export function signWebhook(secret: Uint8Array, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function secretBytes(webhookSecret: string): Buffer {
  return Buffer.from(webhookSecret.replace(/^whsec_/, ''), 'base64');
}

const toleranceSeconds = 300;

/** Checks the headers against the partner's secret; returns the webhook id. */
export async function verifyWebhook(input: { partnerId: string; headers: Record<string, string>; rawBody: string }, deps: { partners: PartnerStore; dataKeys: DataKeys; now: () => Date }) {
  const partner = await deps.partners.get(input.partnerId);
  // An unknown partner gets the same answer as a bad signature: partner ids are not confirmed to strangers.
  if (!partner) throw new Unauthenticated('The webhook signature does not verify');
  const id = input.headers['webhook-id'];
  const ts = Number(input.headers['webhook-timestamp']);
  const signatures = (input.headers['webhook-signature'] ?? '').split(' ').filter(Boolean);
  if (!id || !Number.isInteger(ts) || !signatures.length) throw new Unauthenticated('webhook-id, webhook-timestamp and webhook-signature are required');
  if (Math.abs(deps.now().getTime() / 1000 - ts) > toleranceSeconds) throw new Unauthenticated('The webhook timestamp is too old or in the future');
  const secret = await open(Buffer.from(partner.sealedWebhookSecret, 'base64'), deps.dataKeys, secretContext(partner.partnerId));
  const expected = Buffer.from(signWebhook(secret, id, ts, input.rawBody));
  secret.fill(0);
  if (!signatures.some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected))) throw new Unauthenticated('The webhook signature does not verify');
  return { partner, webhookId: id };
}

export const CarrierStatus = z.strictObject({
  /** Our order id, passed to the carrier as the shipment's reference. */
  reference: z.string().regex(/^ord_[0-9a-f]{24}$/),
  trackingNumber: z.string().min(1).max(64),
  status: z.enum(['in_transit', 'delivered', 'exception']),
  at: z.iso.datetime({ offset: true }),
});

export function parseCarrierStatus(rawBody: string) {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new InvalidInput('The webhook body is not JSON');
  }
  const parsed = CarrierStatus.safeParse(json);
  if (!parsed.success) throw new InvalidInput(`Invalid carrier status: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function assertCarrier(partner: Partner) {
  if (partner.kind !== 'carrier') throw new NotFound('No such webhook for this partner');
}
