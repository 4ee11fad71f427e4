// Independent verification of an asset's history, from the transactions alone: every id is recomputed, every
// signature checked against the key it claims, and the chain of ownership followed from the CREATE to the current
// owner. Nothing here trusts DPM: the same function checks a live ledger and an offline proof bundle.
import bs58 from 'bs58';
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

export function verifyHistory(assetId: string, transactions: readonly Tx[], blockHeights: Record<string, number | undefined> = {}): Verification {
  const problems: string[] = [];
  const byId = new Map<string, Tx>();
  for (const tx of transactions) {
    if (byId.has(tx.id)) problems.push(`transaction ${tx.id} appears twice`);
    byId.set(tx.id, tx);
    const recomputed = transactionId(tx);
    if (recomputed !== tx.id) problems.push(`transaction ${tx.id}: its content hashes to ${recomputed}; it was altered`);
    tx.inputs.forEach((input, i) => {
      const f = input.fulfillment ? parseEd25519Fulfillment(input.fulfillment) : undefined;
      if (!f) {
        problems.push(`transaction ${tx.id} input ${i}: not a single-key Ed25519 fulfillment`);
        return;
      }
      const claimed = input.owners_before[0];
      if (!claimed || bs58.encode(f.publicKey) !== claimed) problems.push(`transaction ${tx.id} input ${i}: signed by ${bs58.encode(f.publicKey)}, not by ${claimed}`);
      if (!verifyEd25519(f.publicKey, signingDigest(tx, i), f.signature)) problems.push(`transaction ${tx.id} input ${i}: the signature does not verify`);
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
    const f = step.inputs[0]?.fulfillment ? parseEd25519Fulfillment(step.inputs[0].fulfillment) : undefined;
    if (!spent || !f || ed25519ConditionUri(f.publicKey) !== spent.condition.uri) problems.push(`transaction ${step.id} does not satisfy the condition of the output it spends (${tip.id}:0)`);
    if (spent && step.inputs[0]?.owners_before[0] !== spent.public_keys[0]) problems.push(`transaction ${step.id} is signed by ${step.inputs[0]?.owners_before[0]}, but ${tip.id}:0 belongs to ${spent.public_keys[0]}`);
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
