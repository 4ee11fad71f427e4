// The checkout's rules that need no page: the card number as a person types it, the one client order id per
// checkout that makes a double click or a retry the same order, and what a declined payment tells the customer.

/** Digits only, grouped by four as printed on the card. */
export function formatCardNumber(input: string): string {
  return input
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Luhn's check, which every card number passes: catches a mistyped digit before the payment is tried. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export interface CardInput {
  number: string;
  /** MM/YY */
  expiry: string;
  cvc: string;
  name: string;
}

/** Problems with the card as typed, each written so the customer knows what to fix; `now` decides expiry. */
export function cardErrors(card: CardInput, now: Date): Partial<Record<keyof CardInput, string>> {
  const errors: Partial<Record<keyof CardInput, string>> = {};
  const digits = card.number.replace(/\D/g, '');
  if (!digits) errors.number = 'Enter the card number.';
  else if (digits.length < 13 || digits.length > 19) errors.number = 'A card number has 13 to 19 digits; check the number on your card.';
  else if (!luhnValid(digits)) errors.number = 'This card number is not valid; check each digit.';
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2})\s*$/.exec(card.expiry);
  if (!m) errors.expiry = 'Enter the expiry date as MM/YY, like 04/29.';
  else {
    const month = Number(m[1]);
    const year = 2000 + Number(m[2]);
    if (month < 1 || month > 12) errors.expiry = 'The month must be between 01 and 12.';
    else if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) errors.expiry = 'This card has expired; use another card.';
  }
  if (!/^\d{3,4}$/.test(card.cvc.trim())) errors.cvc = 'Enter the 3 or 4 digit security code from the back of the card.';
  if (card.name.trim().length < 2) errors.name = 'Enter the name as printed on the card.';
  return errors;
}

/**
 * What the API is given as the payment method. The embedded platform's gateway takes Stripe's test card numbers;
 * with Stripe in AWS this is where Stripe.js would turn the card into a PaymentMethod id in the browser instead, so
 * that card numbers never reach the platform.
 */
export function paymentMethodOf(card: CardInput): string {
  return card.number.replace(/\D/g, '');
}

/** One id per checkout attempt: kept across double clicks and retries, replaced only when the customer starts over. */
export function newClientOrderId(random: () => string = () => crypto.randomUUID()): string {
  return random();
}

/** How a placed order's payment went, from the order as the API shows it. */
export type PaymentOutcome = { kind: 'pending' } | { kind: 'paid' } | { kind: 'declined'; message: string } | { kind: 'failed'; message: string };

const paidOrLater = new Set(['paid', 'dispatched', 'printing', 'printed', 'shipped', 'delivered', 'completed']);

/** The payment step's error cause, as the workflow recorded it: plain text or Lambda's JSON error ({ errorMessage }). */
function causeText(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

export function paymentOutcome(order: { status: string; failure?: { error: string; cause: string } }): PaymentOutcome {
  if (paidOrLater.has(order.status)) return { kind: 'paid' };
  if (order.status !== 'refunded' && order.status !== 'cancelled') return { kind: 'pending' };
  const error = order.failure?.error ?? '';
  const cause = causeText(order.failure?.cause ?? '').replace(/\s*\((\w+)\)\s*$/, '');
  if (error === 'PaymentDeclined') {
    return { kind: 'declined', message: `${cause || 'Your card was declined.'} Nothing was charged. Check the card details or use another card, then pay again.` };
  }
  if (error === 'EditionSoldOut') return { kind: 'failed', message: `${cause} Nothing was charged.` };
  return { kind: 'failed', message: `The order could not go ahead${cause ? `: ${cause}` : ''}. Nothing was kept from your payment; try again or choose another printer.` };
}

export interface AddressInput {
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
}

export const emptyAddress: AddressInput = { name: '', line1: '', line2: '', postalCode: '', city: '', country: 'FR' };

/** Problems with the delivery address as typed, with the limits the API checks (shared/orders/order.ts). */
export function addressErrors(a: AddressInput): Partial<Record<keyof AddressInput, string>> {
  const errors: Partial<Record<keyof AddressInput, string>> = {};
  const len = (v: string, min: number, max: number) => v.trim().length >= min && v.trim().length <= max;
  if (!len(a.name, 2, 100)) errors.name = 'Enter the name of the person the parcel is for.';
  if (!len(a.line1, 1, 100)) errors.line1 = 'Enter the street and number (up to 100 characters).';
  if (a.line2.trim().length > 100) errors.line2 = 'At most 100 characters.';
  if (!len(a.postalCode, 2, 16) || !/^[A-Za-z0-9 -]+$/.test(a.postalCode.trim())) errors.postalCode = 'Enter the postal code (letters, digits, spaces and -).';
  if (!len(a.city, 1, 80)) errors.city = 'Enter the town or city.';
  if (!/^[A-Z]{2}$/.test(a.country)) errors.country = 'Choose the country.';
  return errors;
}

/** The address as the API takes it: trimmed, without an empty second line. */
export function deliverToOf(a: AddressInput) {
  return { name: a.name.trim(), line1: a.line1.trim(), ...(a.line2.trim() ? { line2: a.line2.trim() } : {}), postalCode: a.postalCode.trim(), city: a.city.trim(), country: a.country };
}
