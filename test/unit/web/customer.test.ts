// The customer pages' rules that need no browser: filters in the address, card checks, what a declined payment
// says, the SSE parser the tracking page reads the platform's stream with, and the status timeline.
import { describe, expect, it } from 'vitest';
import { cardErrors, formatCardNumber, luhnValid, paymentMethodOf, paymentOutcome, addressErrors, deliverToOf, emptyAddress } from '../../../web/src/customer/checkout.js';
import { apiQuery, filterErrors, filtersFromQuery, queryFromFilters } from '../../../web/src/customer/search.js';
import { progressText, SseParser, timeline } from '../../../web/src/customer/tracking.js';

describe('catalogue filters', () => {
  it('round-trip through the address, leaving empty ones out', () => {
    const f = { q: ' desk hook ', material: 'PLA', maxPrice: '12.50', maxSizeMm: '' };
    const query = queryFromFilters(f);
    expect(query.toString()).toBe('q=desk+hook&material=PLA&maxPrice=12.50');
    expect(filtersFromQuery(query)).toEqual({ q: 'desk hook', material: 'PLA', maxPrice: '12.50', maxSizeMm: '' });
    expect(apiQuery(filtersFromQuery(query), 'c1')).toEqual({ q: 'desk hook', material: 'PLA', maxPriceCents: 1250, maxSizeMm: undefined, limit: 12, cursor: 'c1' });
  });

  it('explain a bad price, size or material', () => {
    expect(filterErrors({ q: '', material: 'GOLD', maxPrice: 'cheap', maxSizeMm: '0' })).toEqual({
      maxPrice: 'Enter a price in euros, like 25 or 12.50.',
      maxSizeMm: 'Enter a size in millimetres greater than 0, like 150.',
      material: expect.stringContaining('Choose one of PLA'),
    });
    expect(filterErrors({ q: 'vase', material: '', maxPrice: '9,99', maxSizeMm: '150' })).toEqual({});
  });
});

describe('the card form', () => {
  const now = new Date('2026-12-02T00:00:00Z');
  const good = { number: '4242 4242 4242 4242', expiry: '04/29', cvc: '123', name: 'Ada Customer' };

  it('groups digits by four and checks them with Luhn', () => {
    expect(formatCardNumber('4000000000000002x')).toBe('4000 0000 0000 0002');
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(paymentMethodOf(good)).toBe('4242424242424242');
  });

  it('says what to fix in each field', () => {
    expect(cardErrors(good, now)).toEqual({});
    expect(cardErrors({ number: '4242 4242 4242 4241', expiry: '11/26', cvc: '12', name: '' }, now)).toEqual({
      number: 'This card number is not valid; check each digit.',
      expiry: 'This card has expired; use another card.',
      cvc: expect.stringContaining('3 or 4 digit'),
      name: 'Enter the name as printed on the card.',
    });
    expect(cardErrors({ ...good, expiry: '13/30' }, now).expiry).toBe('The month must be between 01 and 12.');
    expect(cardErrors({ ...good, number: '' }, now).number).toBe('Enter the card number.');
  });
});

describe('the payment outcome of a placed order', () => {
  it('waits, succeeds, or tells the customer why the card was refused and what to do', () => {
    expect(paymentOutcome({ status: 'licensed' })).toEqual({ kind: 'pending' });
    expect(paymentOutcome({ status: 'printing' })).toEqual({ kind: 'paid' });
    const declined = paymentOutcome({ status: 'cancelled', failure: { error: 'PaymentDeclined', cause: JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'Your card was declined. (card_declined)' }) } });
    expect(declined).toEqual({ kind: 'declined', message: 'Your card was declined. Nothing was charged. Check the card details or use another card, then pay again.' });
    expect(paymentOutcome({ status: 'refunded', failure: { error: 'PaymentDeclined', cause: 'Your card has insufficient funds. (insufficient_funds)' } })).toMatchObject({ message: expect.stringMatching(/^Your card has insufficient funds\. Nothing/) });
    expect(paymentOutcome({ status: 'refunded', failure: { error: 'NoPrinterAvailable', cause: 'no printer' } })).toMatchObject({ kind: 'failed' });
  });
});

describe('tracking', () => {
  it('parses SSE frames split anywhere, with comments, retry and multi-line data', () => {
    const p = new SseParser();
    expect(p.push('retry: 1500\n\n: keep-alive\n\nevent: order\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\nevent: order\r\ndata: x\r\ndata: y\r\n\r\n')).toEqual([
      { event: 'order', data: '{"a":1}' },
      { event: 'order', data: 'x\ny' },
    ]);
    expect(p.retryMs).toBe(1500);
  });

  it('marks the timeline done up to the current status', () => {
    const t = timeline('printing');
    expect(t.filter((s) => s.state === 'done').map((s) => s.status)).toEqual(['placed', 'licensed', 'paid', 'dispatched']);
    expect(t.find((s) => s.state === 'current')?.status).toBe('printing');
    expect(timeline('completed').every((s) => s.state === 'done')).toBe(true);
    expect(timeline('cancelled').every((s) => s.state === 'todo')).toBe(true);
  });

  it('says layer x of y and when the print should finish', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    expect(progressText({ layer: 12, layers: 40, expectedFinishAt: '2026-12-02T10:25:00Z' }, now)).toEqual({ layers: 'Layer 12 of 40', finish: 'in about 25 min' });
    expect(progressText({ layer: 40, layers: 40, expectedFinishAt: '2026-12-02T09:59:00Z' }, now).finish).toBe('finishing now');
  });
});

describe('the delivery address at checkout', () => {
  const good = { name: 'Carla Customer', line1: '12 rue des Lilas', line2: '  ', postalCode: ' 69003 ', city: 'Lyon', country: 'FR' };

  it('takes a full address, trimmed and without an empty second line', () => {
    expect(addressErrors(good)).toEqual({});
    expect(deliverToOf(good)).toEqual({ name: 'Carla Customer', line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' });
  });

  it('says what is missing or wrong, field by field', () => {
    expect(Object.keys(addressErrors(emptyAddress)).sort()).toEqual(['city', 'line1', 'name', 'postalCode']);
    expect(addressErrors({ ...good, postalCode: '69003/b' }).postalCode).toContain('postal code');
    expect(addressErrors({ ...good, country: 'France' }).country).toBe('Choose the country.');
    expect(addressErrors({ ...good, line2: 'x'.repeat(101) }).line2).toBe('At most 100 characters.');
  });
});
