// How a verification reads to a person: the verdict in words, why (each check), and each step of the product's memory
// as who / what / when. Pure functions over the API's view (shared/tags/verify-product.ts), unit-tested.
import type { MemoryStep, ProductVerification, TagCheck } from '../../../shared/tags/verify-product.js';

export type Tone = 'ok' | 'warn' | 'bad';

export interface VerdictText {
  tone: Tone;
  /** Not colour alone: an icon with its own shape per verdict, and words. */
  icon: '✓' | '!' | '✕';
  title: string;
  summary: string;
}

export function verdictText(v: ProductVerification['verdict']): VerdictText {
  switch (v) {
    case 'authentic':
      return { tone: 'ok', icon: '✓', title: 'Authentic', summary: 'This product is the one DPM tagged, and its history on the ledger checks out.' };
    case 'possible-clone':
      return {
        tone: 'warn',
        icon: '!',
        title: 'Possible clone',
        summary: 'This tag’s read counter was seen before: the link may have been copied, or the tag cloned. Tap the tag itself again; if this persists, do not trust the product.',
      };
    case 'not-authentic':
      return { tone: 'bad', icon: '✕', title: 'Not authentic', summary: 'The checks below failed: this code was not issued by DPM for this product, or its history does not verify.' };
  }
}

export interface CheckLine {
  label: string;
  passed: boolean | 'neutral';
  text: string;
}

const tagText: Record<TagCheck, Omit<CheckLine, 'label'>> = {
  fresh: { passed: true, text: 'The NFC tag answered with a valid message and a counter never seen before.' },
  replayed: { passed: false, text: 'The NFC tag’s counter was seen before: a copied link or a cloned tag.' },
  invalid: { passed: false, text: 'The NFC tag’s message is not valid for this product.' },
  'not-presented': { passed: 'neutral', text: 'Not checked: the printed code was scanned, the NFC tag was not tapped.' },
};

export function checkLines(c: ProductVerification['checks']): CheckLine[] {
  return [
    { label: 'Signature', passed: c.signature, text: c.signature ? 'The link carries DPM’s valid signature for this product.' : 'The link’s signature is missing or does not verify.' },
    { label: 'NFC tag', ...tagText[c.tag] },
    {
      label: 'Ledger',
      passed: c.ledger === 'verified',
      text:
        c.ledger === 'verified'
          ? 'The product’s history was re-verified from the ledger’s transactions.'
          : c.ledger === 'not-found'
            ? 'The product is not on the ledger (yet).'
            : 'The product’s history on the ledger does not verify.',
    },
  ];
}

export interface StepText {
  title: string;
  /** Who acted (a role and, where the ledger has one, a short key). */
  who: string;
  /** The facts of the step, labelled. */
  facts: { label: string; value: string }[];
}

const short = (s: unknown) => (typeof s === 'string' && s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : String(s ?? ''));

/** One step of the memory, readable: the ledger's metadata keys named for people, hashes shortened. */
export function stepText(m: MemoryStep): StepText {
  const d = m.details;
  const fact = (label: string, v: unknown, shorten = false) => (v === undefined || v === null || v === '' ? [] : [{ label, value: shorten ? short(v) : String(v) }]);
  switch (m.step) {
    case 'design.registered':
      return {
        title: 'Design registered',
        who: `Designer ${short(d.designerKey ?? m.owner)}`,
        facts: [...fact('Design', d.designId), ...fact('Design fingerprint', d.fingerprint, true), ...fact('Licence terms', d.termsVersion === undefined ? undefined : `version ${String(d.termsVersion)}`), ...fact('Terms hash', d.licenseTermsHash, true)],
      };
    case 'product.printed':
      return {
        title: 'Printed',
        who: `Printer ${short(d.printerKey)}`,
        facts: [
          ...fact('Product', d.productId),
          ...fact('Material lot', d.materialLot),
          // Each supplier certificate of the lot, by issuer and id, with the hash its document must have.
          ...(Array.isArray(d.materialCertificates) ? (d.materialCertificates as { issuerPartnerId?: unknown; certificateId?: unknown; documentSha256?: unknown }[]) : []).flatMap((c) =>
            fact('Material certificate', `${String(c.certificateId)} from ${String(c.issuerPartnerId)} (document ${short(c.documentSha256)})`),
          ),
          ...fact('Print parameters', d.printParamsHash, true),
          ...fact('G-code', d.gcodeHash, true),
        ],
      };
    case 'material.certified':
      // A step of the material lot's own ledger asset, which may have come after the product was printed.
      return {
        title: 'Material certified',
        who: `Supplier ${String(d.issuerPartnerId ?? '')}`.trim(),
        facts: [
          ...fact('Material lot', d.lotId),
          ...fact('Material', d.material),
          ...fact('Certificate', d.certificateId),
          ...fact('Document', d.documentSha256, true),
          ...fact('Issued', d.issuedAt),
          ...fact('Lot on the ledger', d.lotAssetId, true),
        ],
      };
    case 'product.tagged':
      return { title: 'Tagged', who: 'DPM platform', facts: [...fact('GTIN', d.gtin), ...fact('Serial', d.serial), ...fact('Tag key', d.tagKeyHash, true)] };
    case 'product.shipped':
      return { title: 'Shipped', who: `Carrier ${String(d.carrierId ?? '')}`.trim(), facts: [...fact('Carrier', d.carrierId), ...fact('Tracking', d.trackingHash, true)] };
    case 'product.delivered':
      return {
        title: 'Delivered',
        who: `Owner ${short(m.owner)}`,
        facts: [...fact('Confirmed by', d.confirmedBy === 'customer-scan' ? 'the customer' : d.confirmedBy === 'carrier' ? 'the carrier' : d.confirmedBy)],
      };
    case 'product.ownershipTransferred':
      return { title: 'Passed on to a new owner', who: `Owner ${short(m.owner)}`, facts: [] };
    default:
      return { title: m.step, who: `Owner ${short(m.owner)}`, facts: Object.entries(d).map(([k, v]) => ({ label: k, value: short(typeof v === 'object' ? JSON.stringify(v) : v) })) };
  }
}

/** Steps of other assets in the product's memory: its design's registration and its material lot's certificates. */
const notTheProducts = new Set(['design.registered', 'material.certified']);

/** The current owner's key, shortened, for the summary ("owners" of the product, in custody order). */
export function owners(memory: readonly MemoryStep[]): string[] {
  const seen: string[] = [];
  for (const m of memory) if (!notTheProducts.has(m.step) && seen[seen.length - 1] !== m.owner) seen.push(m.owner);
  return seen;
}

export { short as shortId };
