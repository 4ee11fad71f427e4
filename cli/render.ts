// The human-readable story of a product, as `dpm verify` prints it.
import type { Verification } from '../shared/ledger/verify-history.js';

const short = (k: string) => (k.length > 16 ? `${k.slice(0, 8)}…${k.slice(-6)}` : k);

const describe: Record<string, string> = {
  'design.registered': 'Design registered',
  'product.printed': 'Printed',
  'product.tagged': 'Tagged',
  'product.shipped': 'Shipped',
  'product.delivered': 'Delivered to its owner',
  'product.ownershipTransferred': 'Ownership transferred',
};

export function renderStory(v: Verification, source: string): string {
  const lines = [`Asset ${v.assetId}`, `Source: ${source}`, ''];
  if (v.asset) lines.push(`What it is: ${Object.entries(v.asset).map(([k, x]) => `${k}=${typeof x === 'string' ? short(x) : JSON.stringify(x)}`).join(', ')}`, '');
  v.story.forEach((s, i) => {
    const details = Object.entries(s.details).map(([k, x]) => `${k}=${typeof x === 'string' ? short(x) : JSON.stringify(x)}`).join(', ');
    lines.push(`${String(i + 1).padStart(2)}. ${describe[s.step] ?? s.step}${s.occurredAt ? ` at ${s.occurredAt}` : ''}${s.blockHeight !== undefined ? ` (block ${s.blockHeight})` : ''}`);
    lines.push(`    tx ${s.txId}`);
    lines.push(`    signed by ${short(s.signer)}, now owned by ${short(s.owner)}${details ? `; ${details}` : ''}`);
  });
  lines.push('');
  if (v.verified) lines.push(`VERIFIED: ${v.story.length} transactions, every id and signature checked, one unbroken chain of ownership. Current owner ${v.currentOwner}.`);
  else lines.push('NOT VERIFIED:', ...v.problems.map((p) => `  - ${p}`));
  return lines.join('\n') + '\n';
}
