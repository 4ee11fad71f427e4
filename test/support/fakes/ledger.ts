// In-memory versions of the ledger writer's ports, with the same contracts as the real adapters (conditional
// writes in the book, small committed records; GET/commit on the network, which refuses a second spend of an output
// as BigchainDB does), so the use case can be tested crash by crash.
import bs58 from 'bs58';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Conflict } from '../../../shared/errors.js';
import { DoubleSpend, type AssetState, type CustodialKeys, type LedgerBook, type LedgerNetwork, type PlannedStep, type PlatformSigner, type StepRecord } from '../../../shared/ledger/ports.js';
import type { Transaction } from '../../../shared/ledger/transaction.js';

const raw = (k: KeyObject) => bs58.encode(createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(-32));
const clone = <T>(v: T): T => structuredClone(v);

export class FakePlatformSigner implements PlatformSigner {
  private readonly key = generateKeyPairSync('ed25519').privateKey;
  signatures = 0;
  async publicKey() {
    return raw(this.key);
  }
  async sign(message: Uint8Array) {
    this.signatures++;
    return sign(null, message, this.key);
  }
}

export class FakeCustody implements CustodialKeys {
  private readonly keys = new Map<string, KeyObject>();
  private keyOf(p: string) {
    let k = this.keys.get(p);
    if (!k) {
      k = generateKeyPairSync('ed25519').privateKey;
      this.keys.set(p, k);
    }
    return k;
  }
  async publicKeyOf(p: string) {
    return raw(this.keyOf(p));
  }
  async sign(p: string, message: Uint8Array) {
    return sign(null, message, this.keyOf(p));
  }
}

export class FakeNetwork implements LedgerNetwork {
  readonly txs = new Map<string, Transaction & { id: string }>();
  posts = 0;
  gets = 0;
  spenderLookups = 0;
  failNextCommits = 0;
  async getTransaction(id: string) {
    this.gets++;
    const t = this.txs.get(id);
    return t && clone(t);
  }
  async commit(tx: Transaction & { id: string }) {
    this.posts++;
    if (this.failNextCommits > 0) {
      this.failNextCommits--;
      throw new Error('network down');
    }
    if (this.txs.has(tx.id)) return 'already-committed' as const;
    for (const input of tx.inputs) {
      const f = input.fulfills;
      if (f && this.spender(f.transaction_id, f.output_index)) throw new DoubleSpend(`input ${f.transaction_id} was already spent`);
    }
    this.txs.set(tx.id, clone(tx));
    return 'committed' as const;
  }
  async spenderOf(assetId: string, txId: string, outputIndex: number) {
    this.spenderLookups++;
    const t = this.spender(txId, outputIndex);
    return t && 'id' in t.asset && t.asset.id === assetId ? clone(t) : undefined;
  }
  private spender(txId: string, outputIndex: number) {
    return [...this.txs.values()].find((t) => t.inputs.some((i) => i.fulfills?.transaction_id === txId && i.fulfills.output_index === outputIndex));
  }
}

export class FakeBook implements LedgerBook {
  readonly assets = new Map<string, AssetState>();
  readonly steps = new Map<string, StepRecord>();
  failNextComplete = 0;
  loads = 0;
  async load(eventId: string, assetKeys: string[]) {
    this.loads++;
    const assets = new Map<string, AssetState>();
    for (const k of assetKeys) {
      const a = this.assets.get(k);
      if (a) assets.set(k, clone(a));
    }
    const s = this.steps.get(eventId);
    return { step: s && clone(s), assets };
  }
  async step(id: string) {
    const s = this.steps.get(id);
    return s && clone(s);
  }
  async reserve(step: PlannedStep) {
    if (this.steps.has(step.eventId)) return false;
    this.steps.set(step.eventId, clone(step));
    return true;
  }
  async complete(step: PlannedStep) {
    if (this.failNextComplete > 0) {
      this.failNextComplete--;
      throw new Error('crashed before completing');
    }
    const current = this.assets.get(step.asset.assetKey);
    const ok = step.previousTip ? current && [step.previousTip, step.tx.id].includes(current.tipTxId) : !current || current.tipTxId === step.tx.id;
    if (!ok) throw new Conflict('tip moved');
    this.assets.set(step.asset.assetKey, clone(step.asset));
    this.steps.set(step.eventId, { eventId: step.eventId, status: 'committed', txId: step.tx.id });
  }
}
