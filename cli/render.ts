// The human-readable story of a product, as `dpm verify` prints it.
import type { StoryStep, Verification } from '../shared/ledger/verify-history.js';
import type { BundleVerification } from './proof-bundle.js';

const short = (k: string) => (k.length > 16 ? `${k.slice(0, 8)}…${k.slice(-6)}` : k);

const describe: Record<string, string> = {
  'design.registered': 'Design registered',
  'product.printed': 'Printed',
  'product.tagged': 'Tagged',
  'product.shipped': 'Shipped',
  'product.delivered': 'Delivered to its owner',
  'product.ownershipTransferred': 'Ownership transferred',
  'material.certified': 'Material certified',
};

const storyLines = (story: readonly StoryStep[]) =>
  story.flatMap((s, i) => {
    const details = Object.entries(s.details).map(([k, x]) => `${k}=${typeof x === 'string' ? short(x) : JSON.stringify(x)}`).join(', ');
    return [
      `${String(i + 1).padStart(2)}. ${describe[s.step] ?? s.step}${s.occurredAt ? ` at ${s.occurredAt}` : ''}${s.blockHeight !== undefined ? ` (block ${s.blockHeight})` : ''}`,
      `    tx ${s.txId}`,
      `    signed by ${short(s.signer)}, now owned by ${short(s.owner)}${details ? `; ${details}` : ''}`,
    ];
  });

export function renderStory(v: BundleVerification | Verification, source: string): string {
  const lines = [`Asset ${v.assetId}`, `Source: ${source}`, ''];
  if (v.asset) lines.push(`What it is: ${Object.entries(v.asset).map(([k, x]) => `${k}=${typeof x === 'string' ? short(x) : JSON.stringify(x)}`).join(', ')}`, '');
  lines.push(...storyLines(v.story));
  const lot = 'lot' in v ? v.lot : undefined;
  if (lot) {
    // Every certificate of the lot, whatever its material and whenever it was recorded: the lot's whole chain.
    lines.push('', `Material lot ${lot.lotId}: asset ${lot.assetId}, ${lot.verified ? 'verified' : 'NOT verified'}`, ...storyLines(lot.story));
  }
  lines.push('');
  if (v.verified) {
    const lotLine = lot ? ` Material lot ${lot.lotId}: ${lot.story.length} certificate${lot.story.length === 1 ? '' : 's'}, created by the product's creator, one unbroken chain.` : '';
    lines.push(`VERIFIED: ${v.story.length} transactions, every id and signature checked, one unbroken chain of ownership. Current owner ${v.currentOwner}.${lotLine}`);
  } else lines.push('NOT VERIFIED:', ...v.problems.map((p) => `  - ${p}`));
  return lines.join('\n') + '\n';
}
