// What verifying a product needs: the tags the platform issued, and the ledger's view of a product.
import type { Transaction } from '../ledger/transaction.js';

/** A tag as issued at tagging time. The NFC key is stored sealed under a KMS data key bound to the tag. */
export interface TagRecord {
  gtin: string;
  serial: string;
  productId: string;
  orderId: string;
  uid: string;
  sealedKey: string;
  /** The highest read counter accepted so far. */
  lastCounter: number;
  issuedAt: string;
}

export interface TagStore {
  /** Creates the record once; a retry with the same serial is harmless. */
  put(tag: TagRecord): Promise<void>;
  get(gtin: string, serial: string): Promise<TagRecord | undefined>;
  /** Raises the last accepted counter to `counter` only if it is higher; false when it was not (a replay). */
  advanceCounter(gtin: string, serial: string, counter: number): Promise<boolean>;
}

/** Read access to the ledger: find an asset by text, and its transactions. */
export interface ProductLedger {
  searchAssets(text: string): Promise<{ id: string; data: Record<string, unknown> }[]>;
  getTransaction(id: string): Promise<(Transaction & { id: string }) | undefined>;
  listTransactions(assetId: string): Promise<(Transaction & { id: string })[]>;
  /** The id of the asset's latest committed transaction (undefined when it has none): tells cheaply whether its history grew. */
  lastTransactionId(assetId: string): Promise<string | undefined>;
  /** Where a transaction can be read by anyone. */
  transactionUrl(id: string): string;
}
