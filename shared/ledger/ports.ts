// What the ledger writer needs: the platform's signing key (KMS), participants' custodial keys, the BigchainDB
// network, and its own bookkeeping of assets and steps.
import type { Transaction } from './transaction.js';

/** The platform's Ed25519 identity; signs inside the key service. Public key in base58, as BigchainDB writes it. */
export interface PlatformSigner {
  publicKey(): Promise<string>;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Keys held in custody for participants (`designer:<id>`, `customer:<id>`, `printer:<id>`), created on first use. */
export interface CustodialKeys {
  publicKeyOf(participant: string): Promise<string>;
  sign(participant: string, message: Uint8Array): Promise<Uint8Array>;
}

export interface LedgerNetwork {
  getTransaction(id: string): Promise<(Transaction & { id: string }) | undefined>;
  /** Posts in commit mode; resolves once the transaction is in a committed block (or already was). */
  commit(tx: Transaction & { id: string }): Promise<void>;
}

/** Where an asset's chain ends: the transaction whose output 0 the next step spends. */
export interface AssetState {
  assetKey: string;
  assetId: string;
  tipTxId: string;
  owner: string;
}

export interface StepRecord {
  eventId: string;
  status: 'pending' | 'committed';
  tx: Transaction & { id: string };
  asset: AssetState;
  /** The tip this step spends; absent for a CREATE. */
  previousTip?: string;
}

/** What one read of the book finds: the event's step record, and the tips of the assets asked for (absent if none). */
export interface LedgerBookState {
  step?: StepRecord;
  assets: Map<string, AssetState>;
}

export interface LedgerBook {
  /** The step record and the assets' tips in one strongly consistent read. */
  load(eventId: string, assetKeys: string[]): Promise<LedgerBookState>;
  step(eventId: string): Promise<StepRecord | undefined>;
  /** Records the planned transaction before it is posted; false if a record for the event already exists. */
  reserve(step: StepRecord): Promise<boolean>;
  /** Moves the asset's tip and marks the step committed, together. Repeating it is harmless. */
  complete(step: StepRecord): Promise<void>;
}
