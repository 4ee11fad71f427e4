// Designers and printer operators get paid through a connected account (Stripe Express) that they onboard on the
// provider's hosted pages. The rule for their earnings, applied when an order's escrow is released:
//   - the account is ready (its `transfers` capability active, nothing disabling it): the share is transferred at
//     once out of the order's charge, and the books move it from owed to paid out;
//   - otherwise the share stays owed in the books (`designer:<id>:royalties`, `printer:<id>:payouts`) and is
//     transferred, order by order, as soon as an `account.updated` event says the account became ready.
// Transfers carry idempotency keys derived from the order and the share, so both paths send a share at most once.
import { z } from 'zod';
import type { PrinterStore } from '../printers/ports.js';
import { owedByOrder, payoutEntry, type Books } from './accounting.js';
import type { ConnectedAccountStatus, PaymentGateway } from './payment-gateway.js';

export interface PayoutAccount {
  userId: string;
  accountId: string;
  country: string;
  status: ConnectedAccountStatus;
  /** When the provider reported `status`; an older report never replaces a newer one. */
  statusAt: string;
  createdAt: string;
}

export interface PayoutAccountStore {
  get(userId: string): Promise<PayoutAccount | undefined>;
  /** The accounts of several users in one read, by user id; users without one are left out. */
  getMany(userIds: string[]): Promise<Map<string, PayoutAccount>>;
  /** False if the user has an account already. */
  create(account: PayoutAccount): Promise<boolean>;
  /** Replaces the status of the user's account `accountId` if `statusAt` is not older; false otherwise (stale, or no such account). */
  updateStatus(userId: string, accountId: string, status: ConnectedAccountStatus, statusAt: string): Promise<boolean>;
}

export const PayoutAccountInput = z.strictObject({
  /** Where the participant lives or is registered (ISO 3166-1 alpha-2): Stripe fixes it for the account's life. */
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO country code'),
});
export type PayoutAccountInput = z.infer<typeof PayoutAccountInput>;

/** The account's creation answer is its state at birth: any event about it is newer. */
const beforeAnyEvent = new Date(0).toISOString();

export const readyForTransfers = (account: PayoutAccount | undefined): account is PayoutAccount => account?.status.transfersActive === true && !account.status.disabledReason;

export function payoutAccountView(account: PayoutAccount) {
  return { accountId: account.accountId, country: account.country, ready: readyForTransfers(account), ...account.status, statusAt: account.statusAt === beforeAnyEvent ? account.createdAt : account.statusAt };
}

export interface OpenPayoutAccountDeps {
  payoutAccounts: PayoutAccountStore;
  payments: PaymentGateway;
  now: () => Date;
  /** Where the hosted onboarding sends the participant back, and where an expired link sends them for a new one. */
  onboardingUrls: { returnUrl: string; refreshUrl: string };
}

/** POST /me/payout-account: the caller's connected account (opened once) and a fresh onboarding link to it. */
export async function openPayoutAccount(input: { userId: string; email?: string; country: string }, deps: OpenPayoutAccountDeps) {
  let account = await deps.payoutAccounts.get(input.userId);
  if (!account) {
    // The key is the user's: a retry after a lost answer gets the same account from the provider.
    const created = await deps.payments.createConnectedAccount({ userId: input.userId, email: input.email, country: input.country, idempotencyKey: `payout-account:${input.userId}` });
    const fresh: PayoutAccount = { userId: input.userId, accountId: created.accountId, country: input.country, status: created.status, statusAt: beforeAnyEvent, createdAt: deps.now().toISOString() };
    await deps.payoutAccounts.create(fresh);
    account = (await deps.payoutAccounts.get(input.userId)) ?? fresh;
  }
  const link = await deps.payments.onboardingLink({ accountId: account.accountId, ...deps.onboardingUrls });
  return { account: payoutAccountView(account), onboarding: { url: link.url, expiresAt: link.expiresAt } };
}

/** GET /me/payout-account. */
/**
 * GET /me/payout-account: the caller's account, or null before they open one. Not having one yet is a normal state
 * of one's own account (the web app asks on every visit of its payouts page), not a missing resource.
 */
export async function getPayoutAccount(input: { userId: string }, deps: { payoutAccounts: PayoutAccountStore }) {
  const account = await deps.payoutAccounts.get(input.userId);
  return account ? payoutAccountView(account) : null;
}

/** One participant's share of one order. `purpose` names the share in idempotency keys and journal steps. */
export interface Share {
  orderId: string;
  userId: string;
  /** The books account that holds the share while it is owed. */
  earningsAccount: string;
  purpose: 'royalty' | 'printing-fee';
  amountCents: number;
}

export interface PayShareDeps {
  payments: PaymentGateway;
  books: Books;
  payoutAccounts: PayoutAccountStore;
  now: () => Date;
}

/** Sends a share to the participant's account if it is ready; otherwise it stays owed. */
export async function payShare(share: Share, deps: PayShareDeps, read?: { account: PayoutAccount | undefined }): Promise<'transferred' | 'owed'> {
  if (share.amountCents <= 0) return 'transferred';
  // `read`: the participant's account as the caller just read it (with others', in one request).
  const account = read ? read.account : await deps.payoutAccounts.get(share.userId);
  if (!readyForTransfers(account)) return 'owed';
  await deps.payments.transfer({ destinationAccount: account.accountId, amountCents: share.amountCents, transferGroup: share.orderId, idempotencyKey: `${share.orderId}:${share.purpose}` });
  await deps.books.post(payoutEntry(share.orderId, share.purpose, share.earningsAccount, share.amountCents, deps.now().toISOString()));
  return 'transferred';
}

/** Everything still owed to a participant (royalties as designer, payouts of the printers they operate), sent now. */
export async function payOwed(input: { userId: string }, deps: PayShareDeps & { printers: PrinterStore }): Promise<{ transferred: number }> {
  const earnings: { account: string; purpose: Share['purpose'] }[] = [
    { account: `designer:${input.userId}:royalties`, purpose: 'royalty' },
    ...(await deps.printers.listByOperator(input.userId)).map((p) => ({ account: `printer:${p.printerId}:payouts`, purpose: 'printing-fee' as const })),
  ];
  let transferred = 0;
  for (const e of earnings) {
    for (const [orderId, amountCents] of owedByOrder(await deps.books.statement(e.account))) {
      if ((await payShare({ orderId, userId: input.userId, earningsAccount: e.account, purpose: e.purpose, amountCents }, deps)) === 'transferred') transferred++;
    }
  }
  return { transferred };
}
