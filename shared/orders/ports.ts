// What the order use cases need from outside: their records, the workflow engine, the printers, the money, files and
// the ledger's event stream. Adapters live in shared/adapters; the local platform only wires them differently.
import type { LedgerEvent } from '../../events/ledger-events.js';
import type { Order } from './order.js';

export type SaveOutcome = { saved: true } | { saved: false; current: Order | undefined };

export interface OrderStore {
  get(orderId: string): Promise<Order | undefined>;
  /** False if the order exists already. */
  create(order: Order): Promise<boolean>;
  /** Creates the order, or answers with the one stored under its id already (and leaves it as it is). */
  createOrExisting(order: Order): Promise<Order | undefined>;
  /** Writes only if the stored revision is `expectedRevision`; false on a lost race. */
  save(order: Order, expectedRevision: number): Promise<boolean>;
  /** `save`, answering a lost race with the order that won it (undefined if there is none), read in the same request. */
  saveOrCurrent(order: Order, expectedRevision: number): Promise<SaveOutcome>;
  listByCustomer(customerId: string): Promise<Order[]>;
  /**
   * The order as this instance last read or wrote it, if it still remembers it; another instance may have changed it
   * since. Only for a write conditioned on its revision (`update` in order-records.ts), where a stale copy costs the
   * lost race and nothing else: never for a decision.
   */
  lastSeen?(orderId: string): Order | undefined;
  /** Remembers which order a charge paid for: a dispute names only the charge. */
  linkCharge(chargeId: string, orderId: string): Promise<void>;
  orderOfCharge(chargeId: string): Promise<string | undefined>;
}

/** The order workflow (Step Functions). Starting is idempotent on the order id, the execution's name. */
export interface OrderWorkflow {
  start(orderId: string, input: Record<string, unknown>): Promise<void>;
}

/**
 * Answers to a workflow step that waits for a callback (`.waitForTaskToken`). Each returns false when the token is no
 * longer open (answered already, timed out, or its execution ended), which a replayed callback must treat as done.
 */
export interface TaskCallbacks {
  succeed(token: string, output: Record<string, unknown>): Promise<boolean>;
  fail(token: string, error: string, cause: string): Promise<boolean>;
  heartbeat(token: string): Promise<boolean>;
}

/** Domain events bound for the ledger. Publishing the same event (same `eventId`) twice is harmless. */
export interface LedgerEvents {
  /**
   * Several events go in one request (up to 10 each). Events given together are not ordered among themselves: each
   * reaches the ledger queue on its own, so steps of one asset that must follow each other are published one by one.
   */
  publish(...events: LedgerEvent[]): Promise<void>;
}

/** Sealed print files: written once per job, fetched by the printer over a short-lived URL. */
export interface PrintFiles {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  presignDownload(key: string, expiresInSeconds: number): Promise<string>;
}
