// POST /me/payout-account: a designer or printer operator opens (once) their connected account and gets a fresh
// onboarding link to it. The hosted onboarding returns to the public site's /payouts/onboarding pages.
import { openPayoutAccount } from '../../shared/payments/payout-accounts.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, paymentGateway, payoutAccounts, publicBaseUrl } from '../orders/wiring.js';

const base = publicBaseUrl().replace(/\/+$/, '');
const deps = {
  payoutAccounts: payoutAccounts(),
  payments: await paymentGateway(),
  onboardingUrls: { returnUrl: `${base}/payouts/onboarding/return`, refreshUrl: `${base}/payouts/onboarding/refresh` },
  ...clock,
};

export const handler = httpRoute({
  body: routeSchemas['POST /me/payout-account'].body,
  run: async ({ caller, body }) => {
    const user = userOf(caller);
    return { status: 201, body: await openPayoutAccount({ userId: user.userId, email: user.email, country: body.country }, deps) };
  },
});
