// GET /me/payments: the caller's money: what a customer paid and got back, a designer's royalties, an operator's
// payouts per printer, and for admins the platform's commission and the escrow. Each with its latest statement lines
// (statementLinesShown), and whether earlier ones exist.
import { paymentHistory } from '../../shared/payments/accounting.js';
import { httpRoute, userOf } from '../lib/http.js';
import { printerStore } from '../printers/wiring.js';
import { books } from './wiring.js';

const deps = { books: books() };
const printers = printerStore();

export const handler = httpRoute({
  run: async ({ caller }) => {
    const user = userOf(caller);
    const printerIds = user.groups.includes('printer') ? (await printers.listByOperator(user.userId)).map((p) => p.printerId) : [];
    return { body: await paymentHistory({ userId: user.userId, groups: user.groups, printerIds }, deps) };
  },
});
