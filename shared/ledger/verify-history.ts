// Independent verification of an asset's history, from the transactions alone: every id is recomputed, every
// signature checked against the key it claims, and the chain of ownership followed from the CREATE to the current
// owner. Nothing here trusts DPM: the same function checks a live ledger and an offline proof bundle.
import bs58 from 'bs58';
import cc from 'crypto-conditions';
import { ed25519ConditionUri, parseEd25519Fulfillment, signingDigest, transactionId, verifyEd25519, type Transaction } from './transaction.js';

export interface StoryStep {
  txId: string;
  operation: 'CREATE' | 'TRANSFER';
  step: string;
  occurredAt?: string;
  /** Who signed: the owner the input spent from (the platform key for a CREATE). */
  signer: string;
  owner: string;
  blockHeight?: number;
  details: Record<string, unknown>;
}

export interface Verification {
  verified: boolean;
  assetId: string;
  problems: string[];
  story: StoryStep[];
  asset?: Record<string, unknown> | null;
  currentOwner?: string;
}

type Tx = Transaction & { id: string };

/** Verdicts on inputs of intact transactions: '' when the input checks out, else its problem. */
const checkedInputs = new Map<string, string>();
function remember(key: string, verdict: string) {
  if (checkedInputs.size >= 100_000) checkedInputs.clear();
  checkedInputs.set(key, verdict);
}

export function verifyHistory(assetId: string, transactions: readonly Tx[], blockHeights: Record<string, number | undefined> = {}): Verification {
  const problems: string[] = [];
  const byId = new Map<string, Tx>();
  for (const tx of transactions) {
    if (byId.has(tx.id)) problems.push(`transaction ${tx.id} appears twice`);
    byId.set(tx.id, tx);
    const recomputed = transactionId(tx);
    const intact = recomputed === tx.id;
    if (!intact) problems.push(`transaction ${tx.id}: its content hashes to ${recomputed}; it was altered`);
    tx.inputs.forEach((input, i) => {
      // The id fixes everything a signature covers except the fulfillment itself: with the id checked, the verdict on
      // (id, input, fulfillment) never changes, so it is remembered (histories are re-verified on every scan).
      const memo = intact ? `${tx.id}|${i}|${input.fulfillment}` : undefined;
      const known = memo ? checkedInputs.get(memo) : undefined;
      if (known !== undefined) {
        if (known) problems.push(known);
        return;
      }
      const before = problems.length;
      const f = input.fulfillment ? parseEd25519Fulfillment(input.fulfillment) : undefined;
      if (!f) {
        // Anything but one Ed25519 key (a threshold of several, say) is checked by the crypto-conditions library.
        const problem = checkOtherFulfillment(input.fulfillment, input.owners_before, signingDigest(tx, i));
        if (problem) problems.push(`transaction ${tx.id} input ${i}: ${problem}`);
        if (memo) remember(memo, problems.slice(before).join('; '));
        return;
      }
      const claimed = input.owners_before[0];
      if (!claimed || input.owners_before.length !== 1 || bs58.encode(f.publicKey) !== claimed) problems.push(`transaction ${tx.id} input ${i}: signed by ${bs58.encode(f.publicKey)}, not by ${input.owners_before.join(', ')}`);
      if (!verifyEd25519(f.publicKey, signingDigest(tx, i), f.signature)) problems.push(`transaction ${tx.id} input ${i}: the signature does not verify`);
      if (memo) remember(memo, problems.slice(before).join('; '));
    });
  }

  const create = byId.get(assetId);
  if (!create || create.operation !== 'CREATE') {
    return { verified: false, assetId, problems: [...problems, `the asset's CREATE transaction ${assetId} is missing`], story: [] };
  }

  // Follow output 0 from the CREATE: each step must spend exactly the previous step's output, once.
  const spenders = new Map<string, Tx[]>();
  for (const tx of transactions) {
    if (tx.operation !== 'TRANSFER') continue;
    if (!('id' in tx.asset) || tx.asset.id !== assetId) problems.push(`transaction ${tx.id} belongs to asset ${'id' in tx.asset ? tx.asset.id : '?'}, not ${assetId}`);
    for (const input of tx.inputs) {
      const key = `${input.fulfills?.transaction_id}:${input.fulfills?.output_index}`;
      spenders.set(key, [...(spenders.get(key) ?? []), tx]);
    }
  }
  const chain: Tx[] = [create];
  const visited = new Set([create.id]);
  for (let tip = create; ; ) {
    const next = spenders.get(`${tip.id}:0`) ?? [];
    if (next.length > 1) problems.push(`output 0 of ${tip.id} is spent twice (${next.map((t) => t.id).join(', ')})`);
    const step = next[0];
    if (!step) break;
    if (visited.has(step.id)) {
      problems.push(`the chain loops at ${step.id}`);
      break;
    }
    const spent = tip.outputs[0];
    const signers = step.inputs[0]?.owners_before ?? [];
    if (!spent || conditionUriOf(step.inputs[0]?.fulfillment) !== spent.condition.uri) problems.push(`transaction ${step.id} does not satisfy the condition of the output it spends (${tip.id}:0)`);
    if (spent && [...signers].sort().join() !== [...spent.public_keys].sort().join()) problems.push(`transaction ${step.id} is signed by ${signers.join(', ')}, but ${tip.id}:0 belongs to ${spent.public_keys.join(', ')}`);
    chain.push(step);
    visited.add(step.id);
    tip = step;
  }
  for (const tx of transactions) if (!visited.has(tx.id)) problems.push(`transaction ${tx.id} is not part of the asset's ownership chain`);

  const story = chain.map((tx): StoryStep => {
    const { step, occurredAt, dpm: _dpm, eventId: _e, ...details } = (tx.metadata ?? {}) as Record<string, unknown>;
    return {
      txId: tx.id,
      operation: tx.operation,
      step: typeof step === 'string' ? step : tx.operation,
      occurredAt: typeof occurredAt === 'string' ? occurredAt : undefined,
      signer: tx.inputs[0]?.owners_before[0] ?? '?',
      owner: tx.outputs[0]?.public_keys[0] ?? '?',
      blockHeight: blockHeights[tx.id],
      details,
    };
  });
  return {
    verified: problems.length === 0,
    assetId,
    problems,
    story,
    asset: 'data' in create.asset ? create.asset.data : null,
    currentOwner: chain.at(-1)!.outputs[0]?.public_keys[0],
  };
}

/** The condition a fulfillment satisfies, as a URI; undefined when it cannot be read. */
function conditionUriOf(fulfillment: string | null | undefined): string | undefined {
  if (!fulfillment) return undefined;
  const ed = parseEd25519Fulfillment(fulfillment);
  if (ed) return ed25519ConditionUri(ed.publicKey);
  try {
    return cc.fulfillmentToCondition(fulfillment);
  } catch {
    return undefined;
  }
}

/** Every Ed25519 key inside a (threshold) fulfillment, in base58, to compare with the input's owners. */
function ed25519KeysOf(node: unknown, into: Set<string>): Set<string> {
  if (node && typeof node === 'object') {
    // The library keeps these fields private in its types; they are plain properties at run time.
    const n = node as { publicKey?: unknown; subconditions?: { body?: unknown }[] };
    if (node instanceof cc.Ed25519Sha256 && Buffer.isBuffer(n.publicKey)) into.add(bs58.encode(n.publicKey));
    for (const sub of n.subconditions ?? []) ed25519KeysOf(sub.body, into);
  }
  return into;
}

function checkOtherFulfillment(fulfillment: string | null, owners: string[], digest: Buffer): string | undefined {
  if (!fulfillment) return 'it carries no fulfillment';
  let parsed;
  try {
    parsed = cc.fromFulfillmentUri(fulfillment);
  } catch (err) {
    return `its fulfillment cannot be read (${(err as Error).message})`;
  }
  try {
    if (!cc.validateFulfillment(fulfillment, parsed.getConditionUri(), digest)) return 'the signature does not verify';
  } catch {
    return 'the signature does not verify';
  }
  const keys = ed25519KeysOf(parsed, new Set());
  const stranger = [...keys].find((k) => !owners.includes(k));
  if (stranger) return `signed by ${stranger}, who is not among ${owners.join(', ')}`;
  return undefined;
}
