// One verification per tag reading. An NFC tap's counter may be presented once: asking again would turn an authentic
// tap into "possible clone". So a page load verifies once, and anything that needs the result again (the certificate,
// React re-mounting the page) shares that answer instead of calling the API a second time.
import { call } from '../api/client';
import type { ProductVerification } from '../../../shared/tags/verify-product';

export interface Checked {
  verification: ProductVerification;
  /** When this browser got the verdict: the date the certificate states. */
  checkedAt: Date;
}

const answers = new Map<string, Promise<Checked>>();

export function verifyOnce(gtin: string, serial: string, search: string): Promise<Checked> {
  const key = `${gtin}/${serial}${search}`;
  let answer = answers.get(key);
  if (!answer) {
    const query = Object.fromEntries(new URLSearchParams(search));
    answer = call<ProductVerification, 'GET /01/{gtin}/21/{serial}'>('GET /01/{gtin}/21/{serial}', { params: { gtin, serial }, query }).then((verification) => ({ verification, checkedAt: new Date() }));
    // A failed call (network, 5xx) may be retried; a verdict may not.
    answer.catch(() => answers.delete(key));
    answers.set(key, answer);
  }
  return answer;
}

/** Forgets the answers, so "Check again" really asks the platform again (and a replayed counter then shows). */
export function forgetVerification(gtin: string, serial: string, search: string): void {
  answers.delete(`${gtin}/${serial}${search}`);
}
