// Partners (carriers, material suppliers, shops) and their inbound webhooks. A partner's webhook secret is made here,
// shown once, and kept sealed under a KMS data key bound to the partner; webhooks are checked the Standard Webhooks
// way (webhook-id, webhook-timestamp, webhook-signature: v1,base64(HMAC-SHA256(secret, id.timestamp.body)))
// and each webhook id is handled once (receiveWebhook; the partners' own webhooks are in inbound-webhooks.ts).
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
  /** True if the webhook id was recorded by `firstDelivery` (and has not expired). */
  handledBefore(partnerId: string, webhookId: string): Promise<boolean>;
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

/** Parses a verified webhook body against its contract; a bad body is the partner's error (400), not ours. */
export function parseWebhookBody<T>(schema: z.ZodType<T>, rawBody: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new InvalidInput('The webhook body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidInput(`Invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export type InboundWebhookDeps = { partners: PartnerStore; dataKeys: DataKeys; now: () => Date };

/** How long a handled webhook id is remembered: longer than any partner's retry schedule (Standard Webhooks': ~1 day). */
const rememberSeconds = 7 * 86_400;

/**
 * The one way an inbound partner webhook is taken in: the signature checks out, the partner is of the kind the route
 * is for, a webhook id handled before changes nothing, and the body parses. `apply` must itself be idempotent: the id
 * is marked only after it succeeded, so a failure (or a crash in between) leaves the webhook to the partner's retry.
 */
export async function receiveWebhook<T>(
  input: { partnerId: string; kind: Partner['kind']; headers: Record<string, string>; rawBody: string },
  contract: { schema: z.ZodType<T>; what: string },
  apply: (body: T, partner: Partner) => Promise<void>,
  deps: InboundWebhookDeps,
): Promise<{ received: true; duplicate: boolean }> {
  const { partner, webhookId } = await verifyWebhook(input, deps);
  if (partner.kind !== input.kind) throw new NotFound('No such webhook for this partner');
  if (await deps.partners.handledBefore(partner.partnerId, webhookId)) return { received: true, duplicate: true };
  await apply(parseWebhookBody(contract.schema, input.rawBody, contract.what), partner);
  const first = await deps.partners.firstDelivery(partner.partnerId, webhookId, Math.floor(deps.now().getTime() / 1000) + rememberSeconds);
  return { received: true, duplicate: !first };
}
