// The ledger model (docs/ledger-model.md) as pure functions: which transaction each domain event becomes.
// Deterministic: the same event and chain state always give the same unsigned transaction, and Ed25519 signatures
// are deterministic too, so a retried step reproduces the same transaction id.
import { createHash } from 'node:crypto';
import type { LedgerEvent } from '../../events/ledger-events.js';
import { RuleViolation } from '../errors.js';
import type { AssetState } from './ports.js';
import { unsignedCreate, unsignedTransfer, type Transaction } from './transaction.js';

export const designAssetKey = (designId: string) => `design:${designId}`;
export const productAssetKey = (productId: string) => `product:${productId}`;

export const participant = {
  designer: (id: string) => `designer:${id}`,
  customer: (id: string) => `customer:${id}`,
  printer: (id: string) => `printer:${id}`,
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What the model needs resolved before it can plan: keys and the states of the assets involved. */
export interface PlanContext {
  platformKey: string;
  asset?: AssetState;
  designAsset?: AssetState;
  keys: Record<string, string>;
}

export interface Plan {
  tx: Transaction;
  /** Who signs input 0: `platform` or a participant. */
  signer: string;
  assetKey: string;
  newOwner: string;
  previousTip?: string;
}

/** Participants whose public keys the plan for this event needs. */
export function participantsOf(e: LedgerEvent): string[] {
  switch (e.type) {
    case 'design.registered':
      return [participant.designer(e.designerId)];
    case 'product.printed':
      return [participant.printer(e.printerId)];
    case 'product.delivered':
      return [participant.customer(e.customerId)];
    case 'product.ownershipTransferred':
      return [participant.customer(e.fromOwnerId), participant.customer(e.toOwnerId)];
    default:
      return [];
  }
}

export function assetKeyOf(e: LedgerEvent): string {
  return e.type === 'design.registered' ? designAssetKey(e.designId) : productAssetKey(e.productId);
}

function stepMetadata(e: LedgerEvent, extra: Record<string, unknown>): Record<string, unknown> {
  return { dpm: 1, step: e.type, eventId: e.eventId, occurredAt: e.occurredAt, ...extra };
}

export function planStep(e: LedgerEvent, ctx: PlanContext): Plan {
  const assetKey = assetKeyOf(e);
  const key = (p: string) => {
    const k = ctx.keys[p];
    if (!k) throw new Error(`No key resolved for ${p}`);
    return k;
  };
  if (e.type === 'design.registered' || e.type === 'product.printed') {
    if (ctx.asset) throw new RuleViolation(`${assetKey} is already on the ledger (asset ${ctx.asset.assetId}); a second ${e.type} would fork its history`);
    if (e.type === 'design.registered') {
      const designerKey = key(participant.designer(e.designerId));
      const data = { dpm: 'design', v: 1, designId: e.designId, fingerprint: e.fingerprint, licenseTermsHash: e.licenseTermsHash, designerKey };
      return { tx: unsignedCreate(ctx.platformKey, data, stepMetadata(e, { termsVersion: e.termsVersion }), designerKey), signer: 'platform', assetKey, newOwner: designerKey };
    }
    if (!ctx.designAsset) throw new RuleViolation(`Design ${e.designId} is not on the ledger yet`);
    const data = {
      dpm: 'product',
      v: 1,
      productId: e.productId,
      design: ctx.designAsset.assetId,
      printerKey: key(participant.printer(e.printerId)),
      materialLot: e.materialLot,
      // Who vouched for that lot, by the hash of their certificate: a reader who holds the document can prove it is
      // the one the supplier sent, and the platform cannot swap it afterwards.
      ...(e.version === 2 && e.materialCertificates.length ? { materialCertificates: e.materialCertificates } : {}),
      printParamsHash: e.printParamsHash,
      gcodeHash: e.gcodeHash,
      // The order is referenced by hash: the link can be proven by whoever knows the order id, and read by nobody else.
      orderHash: sha256(e.orderId),
    };
    // The platform holds the product in custody until delivery.
    return { tx: unsignedCreate(ctx.platformKey, data, stepMetadata(e, {}), ctx.platformKey), signer: 'platform', assetKey, newOwner: ctx.platformKey };
  }

  const asset = ctx.asset;
  if (!asset) throw new RuleViolation(`${assetKey} is not on the ledger yet; ${e.type} must follow product.printed`);
  const transfer = (metadata: Record<string, unknown>, signer: string, from: string, to: string): Plan => ({
    tx: unsignedTransfer(asset.assetId, { txId: asset.tipTxId, owner: from }, stepMetadata(e, metadata), to),
    signer,
    assetKey,
    newOwner: to,
    previousTip: asset.tipTxId,
  });
  const inCustody = () => {
    if (asset.owner !== ctx.platformKey) throw new RuleViolation(`${assetKey} has left the platform's custody; ${e.type} no longer applies`);
  };
  switch (e.type) {
    case 'product.tagged':
      inCustody();
      return transfer({ gtin: e.gtin, serial: e.serial, tagKeyHash: e.tagKeyHash }, 'platform', ctx.platformKey, ctx.platformKey);
    case 'product.shipped':
      inCustody();
      return transfer({ carrierId: e.carrierId, trackingHash: e.trackingHash }, 'platform', ctx.platformKey, ctx.platformKey);
    case 'product.delivered':
      inCustody();
      return transfer({ confirmedBy: e.confirmedBy }, 'platform', ctx.platformKey, key(participant.customer(e.customerId)));
    case 'product.ownershipTransferred': {
      const from = key(participant.customer(e.fromOwnerId));
      if (asset.owner !== from) throw new RuleViolation(`${assetKey} is not owned by the transferring customer`);
      return transfer({}, participant.customer(e.fromOwnerId), from, key(participant.customer(e.toOwnerId)));
    }
  }
}
