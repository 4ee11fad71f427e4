// What the ledger writer needs: the platform's signing key (KMS), participants' custodial keys, the BigchainDB
// network, and its own bookkeeping of assets and steps.
import { Conflict } from '../errors.js';
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

/**
 * The ledger refused a TRANSFER because the output it spends is spent already, by another transaction: the spender
 * decides whether that is our own step written before (same event) or a real conflict.
 */
export class DoubleSpend extends Conflict {}

export interface LedgerNetwork {
  getTransaction(id: string): Promise<(Transaction & { id: string }) | undefined>;
  /**
   * Posts in commit mode; resolves once the transaction is in a committed block, `already-committed` when it was
   * before. Rejects with DoubleSpend when another transaction spent the output this one spends.
   */
  commit(tx: Transaction & { id: string }): Promise<'committed' | 'already-committed'>;
  /** The committed TRANSFER of the asset that spends output `outputIndex` of `txId`; undefined while it is unspent. */
  spenderOf(assetId: string, txId: string, outputIndex: number): Promise<(Transaction & { id: string }) | undefined>;
}

/** Where an asset's chain ends: the transaction whose output 0 the next step spends. */
export interface AssetState {
  assetKey: string;
  assetId: string;
  tipTxId: string;
  owner: string;
}

/** A step planned (and, for a reserved one, recorded) but not known to be on the ledger. */
export interface PlannedStep {
  eventId: string;
  status: 'pending';
  tx: Transaction & { id: string };
  asset: AssetState;
  /** The tip this step spends; absent for a CREATE. */
  previousTip?: string;
}

/** A step on the ledger: all a later delivery of its event needs to answer `already-committed`. */
export interface CommittedStep {
  eventId: string;
  status: 'committed';
  txId: string;
}

export type StepRecord = PlannedStep | CommittedStep;

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
  reserve(step: PlannedStep): Promise<boolean>;
  /** Moves the asset's tip and marks the step committed, together. Repeating it is harmless. */
  complete(step: PlannedStep): Promise<void>;
}
