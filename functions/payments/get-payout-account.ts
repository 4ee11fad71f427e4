// GET /me/payout-account: the caller's connected account as the last `account.updated` event described it.
import { getPayoutAccount } from '../../shared/payments/payout-accounts.js';
import { httpRoute, userOf } from '../lib/http.js';
import { payoutAccounts } from '../orders/wiring.js';

const deps = { payoutAccounts: payoutAccounts() };

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await getPayoutAccount({ userId: userOf(caller).userId }, deps) }) });
