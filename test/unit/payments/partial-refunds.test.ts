// The pure rules behind partial refunds made in the provider's dashboard and dispute fees: who bears a part given
// back (releaseSplit before the release, partialRefundEntry after it), what the refund of the rest books
// (refundEntry), and a dispute fee's entry. Every entry balances, and the order's books add up to zero per account.
import { describe, expect, it } from 'vitest';
import { assertBalanced, disputeFeeEntry, releaseEntry, reversalOf, type JournalEntry } from '../../../shared/payments/accounting.js';
import type { Order } from '../../../shared/orders/order.js';
import { lateRefundSettlement, partialRefundEntry, partiallyRefundedCents, refundEntry, releaseSplit } from '../../../shared/orders/refunds.js';
import { Conflict } from '../../../shared/errors.js';

const at = '2026-12-02T10:00:00.000Z';
/** 1200 design price (500 royalty), 2000 printing, 320 commission, 490 shipping: 4010 in all. */
const order = (partialRefunds?: Order['partialRefunds']): Order => ({
  orderId: 'ord_1',
  customerId: 'cust-1',
  designId: 'des-1',
  designerId: 'designer-1',
  material: 'PLA',
  licenseVersion: 1,
  quote: { currency: 'eur', designPriceCents: 1200, printingFeeCents: 2000, commissionCents: 320, shippingCents: 490, totalCents: 4010, estimate: { printSeconds: 3600, grams: 20 } },
  royaltyCents: 500,
  paymentMethod: 'pm_card_visa',
  status: 'delivered',
  chargeId: 'ch_1',
  attempts: [],
  product: { productId: 'prd_1', gcodeSha256: 'g', printerId: 'printer-1', materialLot: 'lot', printParamsHash: 'p' },
  ...(partialRefunds ? { partialRefunds } : {}),
  createdAt: at,
  updatedAt: at,
  revision: 1,
});
const part = (refundId: string, amountCents: number) => ({ refundId, amountCents, at });
const escrowEntry: JournalEntry = { orderId: 'ord_1', step: 'escrow', postings: [{ account: 'customer:cust-1', amountCents: -4010 }, { account: 'escrow', amountCents: 4010 }], at };

function sums(entries: readonly JournalEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    assertBalanced(e);
    for (const p of e.postings) out[p.account] = (out[p.account] ?? 0) + p.amountCents;
  }
  return out;
}

describe('releaseSplit', () => {
  it('splits the whole escrow when nothing was given back (the split ReleaseEscrow made before)', () => {
    expect(releaseSplit(order())).toEqual({
      escrowedCents: 4010,
      split: { designerId: 'designer-1', printerId: 'printer-1', royaltyCents: 500, printingFeeCents: 2000, shippingCents: 490, commissionCents: 1020 },
    });
  });

  it('takes a part given back before the release from the commission first', () => {
    const { escrowedCents, split } = releaseSplit(order([part('re_1', 600)]));
    expect(escrowedCents).toBe(3410);
    expect(split).toMatchObject({ commissionCents: 420, printingFeeCents: 2000, shippingCents: 490, royaltyCents: 500 });
    expect(() => releaseEntry('ord_1', escrowedCents, split, at)).not.toThrow();
  });

  it('then from the printer’s fee and shipping, then from the royalty, over several parts', () => {
    // 1020 commission + 2000 fee + 490 shipping + 100 of the royalty.
    const { escrowedCents, split } = releaseSplit(order([part('re_1', 1500), part('re_2', 2110)]));
    expect(escrowedCents).toBe(400);
    expect(split).toMatchObject({ commissionCents: 0, printingFeeCents: 0, shippingCents: 0, royaltyCents: 400 });
    expect(() => releaseEntry('ord_1', escrowedCents, split, at)).not.toThrow();
  });

  it('refuses an order given back in full: the order is refunded, not released', () => {
    expect(() => releaseSplit(order([part('re_1', 4010)]))).toThrow(Conflict);
  });
});

describe('partialRefundEntry', () => {
  it('takes a part from the escrow before the release', () => {
    expect(partialRefundEntry(order([part('re_1', 600)]), 're_1', [escrowEntry], at)).toEqual({
      orderId: 'ord_1',
      step: 'partial-refund:re_1',
      postings: [
        { account: 'escrow', amountCents: -600 },
        { account: 'customer:cust-1', amountCents: 600 },
      ],
      at,
    });
  });

  it('has the platform bear a part given back after the release, and the books still add up', () => {
    const { escrowedCents, split } = releaseSplit(order());
    const release = releaseEntry('ord_1', escrowedCents, split, at);
    const entry = partialRefundEntry(order([part('re_1', 700)]), 're_1', [escrowEntry, release], at);
    expect(entry.postings).toEqual([
      { account: 'platform:commission', amountCents: -700 },
      { account: 'customer:cust-1', amountCents: 700 },
    ]);
    expect(sums([escrowEntry, release, entry])).toEqual({ 'customer:cust-1': -3310, escrow: 0, 'designer:designer-1:royalties': 500, 'printer:printer-1:payouts': 2490, 'platform:commission': 320 });
  });

  it('takes from the escrow a part the release left out even if it is booked after the release (a redelivery after a crash)', () => {
    const before = order([part('re_1', 600)]);
    const { escrowedCents, split } = releaseSplit(before);
    const release = releaseEntry('ord_1', escrowedCents, split, at);
    const after = order([part('re_1', 600), part('re_2', 100)]);
    const first = partialRefundEntry(after, 're_1', [escrowEntry, release], at);
    const second = partialRefundEntry(after, 're_2', [escrowEntry, release, first], at);
    expect(first.postings[0]).toEqual({ account: 'escrow', amountCents: -600 });
    expect(second.postings[0]).toEqual({ account: 'platform:commission', amountCents: -100 });
    expect(sums([escrowEntry, release, first, second])).toMatchObject({ escrow: 0, 'customer:cust-1': -3310, 'platform:commission': 320 });
  });

  it('books only a part recorded on the order', () => {
    expect(() => partialRefundEntry(order(), 're_x', [escrowEntry], at)).toThrow(Conflict);
  });
});

describe('lateRefundSettlement', () => {
  const o = order([part('re_1', 600)]);
  const fromEscrow = partialRefundEntry(o, 're_1', [escrowEntry], at);

  it('settles nothing while there is no release, or when the release left the part out of its split', () => {
    expect(lateRefundSettlement(o, 're_1', [escrowEntry, fromEscrow], at)).toBeUndefined();
    const { escrowedCents, split } = releaseSplit(o);
    expect(lateRefundSettlement(o, 're_1', [escrowEntry, fromEscrow, releaseEntry('ord_1', escrowedCents, split, at)], at)).toBeUndefined();
  });

  it('has the platform take over a part booked from the escrow that a release which read the order before it split anyway', () => {
    const { escrowedCents, split } = releaseSplit(order());
    const release = releaseEntry('ord_1', escrowedCents, split, at);
    const settlement = lateRefundSettlement(o, 're_1', [escrowEntry, fromEscrow, release], at)!;
    expect(settlement).toEqual({
      orderId: 'ord_1',
      step: 'partial-refund:re_1:platform-bears',
      postings: [
        { account: 'platform:commission', amountCents: -600 },
        { account: 'escrow', amountCents: 600 },
      ],
      at,
    });
    const entries = [escrowEntry, fromEscrow, release, settlement];
    expect(sums(entries)).toMatchObject({ escrow: 0, 'platform:commission': 420, 'customer:cust-1': -3410 });
    // Nothing more to settle once it is; and a refund of the rest still ends every account at zero.
    const refund = refundEntry(o, [...entries, reversalOf(release, at)], at)!;
    for (const [account, sum] of Object.entries(sums([...entries, reversalOf(release, at), refund]))) expect(sum, account).toBe(0);
  });

  it('settles nothing for a part the platform bore from the start', () => {
    const { escrowedCents, split } = releaseSplit(order());
    const release = releaseEntry('ord_1', escrowedCents, split, at);
    const borne = partialRefundEntry(o, 're_1', [escrowEntry, release], at);
    expect(borne.postings[0]!.account).toBe('platform:commission');
    expect(lateRefundSettlement(o, 're_1', [escrowEntry, release, borne], at)).toBeUndefined();
  });
});

describe('refundEntry', () => {
  it('returns the whole escrow when nothing was given back before (the refund as it was)', () => {
    expect(refundEntry(order(), [escrowEntry], at)!.postings).toEqual([
      { account: 'escrow', amountCents: -4010 },
      { account: 'customer:cust-1', amountCents: 4010 },
    ]);
  });

  it('books only the rest after parts given back before the release', () => {
    const o = order([part('re_1', 600), part('re_2', 400)]);
    const parts = ['re_1', 're_2'].map((id) => partialRefundEntry(o, id, [escrowEntry], at));
    const refund = refundEntry(o, [escrowEntry, ...parts], at)!;
    expect(refund.postings).toEqual([
      { account: 'escrow', amountCents: -3010 },
      { account: 'customer:cust-1', amountCents: 3010 },
    ]);
    expect(sums([escrowEntry, ...parts, refund])).toEqual({ 'customer:cust-1': 0, escrow: 0 });
  });

  it('gives the platform back what it bore after the release once the release is reversed, and every account ends at zero', () => {
    const first = order([part('re_1', 600)]);
    const { escrowedCents, split } = releaseSplit(first);
    const release = releaseEntry('ord_1', escrowedCents, split, at);
    const both = order([part('re_1', 600), part('re_2', 300)]);
    const p1 = partialRefundEntry(both, 're_1', [escrowEntry], at);
    const p2 = partialRefundEntry(both, 're_2', [escrowEntry, p1, release], at);
    expect(p2.postings[0]!.account).toBe('platform:commission');
    const entries = [escrowEntry, p1, release, p2, reversalOf(release, at)];
    const refund = refundEntry(both, entries, at)!;
    expect(refund.postings).toEqual([
      { account: 'escrow', amountCents: -3410 },
      { account: 'customer:cust-1', amountCents: 3110 },
      { account: 'platform:commission', amountCents: 300 },
    ]);
    for (const [account, sum] of Object.entries(sums([...entries, refund]))) expect(sum, account).toBe(0);
  });

  it('posts nothing when every part was booked already', () => {
    const o = order([part('re_1', 4010)]);
    expect(refundEntry(o, [escrowEntry, partialRefundEntry(o, 're_1', [escrowEntry], at)], at)).toBeUndefined();
  });

  it('sums what was given back in parts', () => {
    expect(partiallyRefundedCents(order([part('re_1', 600), part('re_2', 45)]))).toBe(645);
    expect(partiallyRefundedCents(order())).toBe(0);
  });
});

describe('disputeFeeEntry', () => {
  it('books a dispute fee from the platform to the provider once per movement, and its return the other way', () => {
    const withdrawn = disputeFeeEntry('ord_1', 'dp_1', { balanceTransactionId: 'txn_w', feeCents: 1500 }, at);
    const reinstated = disputeFeeEntry('ord_1', 'dp_1', { balanceTransactionId: 'txn_r', feeCents: -1500 }, at);
    expect(withdrawn).toEqual({
      orderId: 'ord_1',
      step: 'dispute-fee:dp_1:txn_w',
      postings: [
        { account: 'platform:commission', amountCents: -1500 },
        { account: 'payment-provider:fees', amountCents: 1500 },
      ],
      at,
    });
    expect(reinstated.step).toBe('dispute-fee:dp_1:txn_r');
    expect(sums([withdrawn, reinstated])).toEqual({ 'platform:commission': 0, 'payment-provider:fees': 0 });
  });
});
