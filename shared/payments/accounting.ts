// The platform's own double-entry books: every movement is a set of postings that sums to zero, written atomically
// and once per (order, step). Balances are derived from the postings: royalties owed to designers, payouts owed to
// printers, commission earned, money held in escrow.
import { RuleViolation } from '../errors.js';

export interface Posting {
  /** `escrow`, `customer:<id>`, `designer:<id>:royalties`, `printer:<id>:payouts`, `platform:commission`, `payment-provider:fees`, ... */
  account: string;
  /** Positive is a debit, negative a credit. */
  amountCents: number;
}

export interface JournalEntry {
  orderId: string;
  /** One entry per step of an order: `escrow`, `release`, `refund`, `partial-refund:<refund>`, `dispute-fee:<dispute>:<movement>`... */
  step: string;
  postings: Posting[];
  at: string;
}

export interface StatementLine {
  orderId: string;
  step: string;
  amountCents: number;
  at: string;
}

export interface Books {
  /** Writes the entry and moves the balances together; false if this (order, step) was posted before. */
  post(entry: JournalEntry): Promise<boolean>;
  balance(account: string): Promise<number>;
  entries(orderId: string): Promise<JournalEntry[]>;
  /** The account's lines, oldest first; they add up to its balance. */
  statement(account: string): Promise<StatementLine[]>;
  /** The account's latest `limit` lines, oldest first, and whether it has earlier ones. */
  recentLines(account: string, limit: number): Promise<{ lines: StatementLine[]; earlierLinesOmitted: boolean }>;
}

/**
 * Lines shown per account in a payment history. An account gains lines without end (the escrow and the commission two
 * per order), and a history read whole would grow past what one answer can carry (Lambda's 6 MB) and one request can
 * read in time; the balance is kept apart and stays whole.
 */
export const statementLinesShown = 100;

/** The accounts a participant may read: their own as customer, designer or printer operator; admins the platform's. */
export function accountsOf(user: { userId: string; groups: readonly string[]; printerIds: readonly string[] }): string[] {
  const accounts: string[] = [];
  if (user.groups.includes('customer')) accounts.push(`customer:${user.userId}`);
  if (user.groups.includes('designer')) accounts.push(`designer:${user.userId}:royalties`, paidOutAccount(`designer:${user.userId}:royalties`));
  if (user.groups.includes('printer')) accounts.push(...user.printerIds.flatMap((id) => [`printer:${id}:payouts`, paidOutAccount(`printer:${id}:payouts`)]));
  if (user.groups.includes('admin')) accounts.push('platform:commission', 'escrow', paymentProviderFees);
  return accounts;
}

export async function paymentHistory(user: { userId: string; groups: readonly string[]; printerIds: readonly string[] }, deps: { books: Books }) {
  return Promise.all(
    accountsOf(user).map(async (account) => {
      const [balanceCents, recent] = await Promise.all([deps.books.balance(account), deps.books.recentLines(account, statementLinesShown)]);
      return { account, balanceCents, ...recent };
    }),
  );
}

export function assertBalanced(entry: JournalEntry): void {
  if (!entry.postings.length) throw new RuleViolation(`Entry ${entry.orderId}/${entry.step} has no postings`);
  for (const p of entry.postings) {
    if (!Number.isInteger(p.amountCents) || p.amountCents === 0) throw new RuleViolation(`Posting to ${p.account} must be a non-zero whole number of cents`);
  }
  const sum = entry.postings.reduce((n, p) => n + p.amountCents, 0);
  if (sum !== 0) throw new RuleViolation(`Entry ${entry.orderId}/${entry.step} does not balance: it sums to ${sum} cents`);
}

export interface Split {
  designerId: string;
  printerId: string;
  royaltyCents: number;
  printingFeeCents: number;
  shippingCents: number;
  commissionCents: number;
}

/** Releasing an order's escrow: the royalty to the designer, the fee (and shipping) to the printer, the rest is commission. */
export function releaseEntry(orderId: string, escrowedCents: number, split: Split, at: string): JournalEntry {
  const paid = split.royaltyCents + split.printingFeeCents + split.shippingCents + split.commissionCents;
  if (paid !== escrowedCents) throw new RuleViolation(`The split (${paid} cents) does not use the escrowed ${escrowedCents} cents exactly`);
  const postings: Posting[] = [
    { account: 'escrow', amountCents: -escrowedCents },
    { account: `designer:${split.designerId}:royalties`, amountCents: split.royaltyCents },
    { account: `printer:${split.printerId}:payouts`, amountCents: split.printingFeeCents + split.shippingCents },
    { account: 'platform:commission', amountCents: split.commissionCents },
  ].filter((p) => p.amountCents !== 0);
  return { orderId, step: 'release', postings, at };
}

/**
 * Where a participant's earnings go once transferred to their connected account: `designer:<id>:royalties` and
 * `printer:<id>:payouts` hold what is owed, `designer:<id>:paid-out` and `printer:<id>:paid-out` what was sent.
 */
export function paidOutAccount(earningsAccount: string): string {
  return earningsAccount.replace(/:(royalties|payouts)$/, ':paid-out');
}

/** A participant's share of an order sent to their connected account: out of what is owed, into what was paid. */
export function payoutEntry(orderId: string, purpose: string, earningsAccount: string, amountCents: number, at: string): JournalEntry {
  return {
    orderId,
    step: `payout:${purpose}`,
    postings: [
      { account: earningsAccount, amountCents: -amountCents },
      { account: paidOutAccount(earningsAccount), amountCents },
    ],
    at,
  };
}

/** The entry that undoes `entry` (a release, a payout), posted once as `reversal:<step>`. */
export function reversalOf(entry: JournalEntry, at: string): JournalEntry {
  return { orderId: entry.orderId, step: `reversal:${entry.step}`, postings: entry.postings.map((p) => ({ account: p.account, amountCents: -p.amountCents })), at };
}

/** What the payment provider kept of the platform's money beyond its charge fees: dispute fees, so far. */
export const paymentProviderFees = 'payment-provider:fees';

/**
 * The provider's fee on one movement of a dispute's funds, booked once per movement (its balance transaction): a fee
 * withdrawn goes from the platform to the provider, a fee returned (negative, a dispute won) comes back. The platform
 * bears it whoever wins: the dispute is between the buyer's bank and the platform, which took the payment, and the
 * participants' shares are only taken back if the dispute is lost.
 */
export function disputeFeeEntry(orderId: string, disputeId: string, fee: { balanceTransactionId: string; feeCents: number }, at: string): JournalEntry {
  return {
    orderId,
    step: `dispute-fee:${disputeId}:${fee.balanceTransactionId}`,
    postings: [
      { account: 'platform:commission', amountCents: -fee.feeCents },
      { account: paymentProviderFees, amountCents: fee.feeCents },
    ],
    at,
  };
}

/** What an account is still owed per order: the sum of its statement lines by order, where positive. */
export function owedByOrder(lines: readonly StatementLine[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.orderId, (sums.get(l.orderId) ?? 0) + l.amountCents);
  return new Map([...sums].filter(([, n]) => n > 0));
}
