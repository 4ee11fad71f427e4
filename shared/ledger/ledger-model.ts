// The ledger model (docs/ledger-model.md) as pure functions: which transaction each domain event becomes.
// Deterministic: the same event and chain state always give the same unsigned transaction, and Ed25519 signatures
// are deterministic too, so a retried step reproduces the same transaction id.
import { createHash } from 'node:crypto';
import type { LedgerEvent } from '../../events/ledger-events.js';
import { RuleViolation } from '../errors.js';
import type { AssetState } from './ports.js';
import { unsignedCreate, unsignedTransfer, type Transaction } from './transaction.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const designAssetKey = (designId: string) => `design:${designId}`;
export const productAssetKey = (productId: string) => `product:${productId}`;
/**
 * A material lot's asset, `lot:<lotId>`: also the FIFO group of its certificates, and SQS takes message group ids of at
 * most 128 characters, so the few lot ids too long for that are named by their hash (`lot-sha256:` never starts a
 * `lot:` key, so the two forms cannot meet).
 */
export const lotAssetKey = (lotId: string) => (lotId.length <= 124 ? `lot:${lotId}` : `lot-sha256:${sha256(lotId)}`);
/**
 * What a lot's CREATE carries to be found by: products printed from the lot name its id too (as `materialLot`), so a
 * search for the id ranks the lot among them; this hash is a search term only the lot's asset has.
 */
export const lotSearchKey = (lotId: string) => sha256(`dpm-lot:${lotId}`);
/** One ledger step per recorded certificate, whatever retries re-publish it: the writer's idempotency key. */
export const certificateEventId = (issuerPartnerId: string, certificateId: string) => `material.certified:${sha256(`${issuerPartnerId}/${certificateId}`)}`;

export const participant = {
  designer: (id: string) => `designer:${id}`,
  customer: (id: string) => `customer:${id}`,
  printer: (id: string) => `printer:${id}`,
};


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
  if (e.type === 'design.registered') return designAssetKey(e.designId);
  if (e.type === 'material.certified') return lotAssetKey(e.lotId);
  return productAssetKey(e.productId);
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
  if (e.type === 'material.certified') return planCertificate(e, ctx);
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

/**
 * A lot's certificates form its own chain, held by the platform: the first one recorded creates the lot's asset, each
 * later one is a TRANSFER to the platform again. The CREATE's data depends on the lot id alone, so whichever
 * certificate comes first, the lot is the same asset; products link to it by that id (`materialLot`).
 */
function planCertificate(e: Extract<LedgerEvent, { type: 'material.certified' }>, ctx: PlanContext): Plan {
  const assetKey = lotAssetKey(e.lotId);
  const certificate = { lotId: e.lotId, certificateId: e.certificateId, issuerPartnerId: e.issuerPartnerId, material: e.material, documentSha256: e.documentSha256, issuedAt: e.issuedAt };
  const asset = ctx.asset;
  if (!asset) {
    const data = { dpm: 'lot', v: 1, lotId: e.lotId, lotSearchKey: lotSearchKey(e.lotId) };
    return { tx: unsignedCreate(ctx.platformKey, data, stepMetadata(e, certificate), ctx.platformKey), signer: 'platform', assetKey, newOwner: ctx.platformKey };
  }
  if (asset.owner !== ctx.platformKey) throw new RuleViolation(`${assetKey} is not held by the platform; it cannot take another certificate`);
  return {
    tx: unsignedTransfer(asset.assetId, { txId: asset.tipTxId, owner: ctx.platformKey }, stepMetadata(e, certificate), ctx.platformKey),
    signer: 'platform',
    assetKey,
    newOwner: ctx.platformKey,
    previousTip: asset.tipTxId,
  };
}
