// Who the caller is for an order: the customer, or an operator of some of its printers.
import type { PrinterStore } from '../../shared/printers/ports.js';
import { userOf, type Caller } from '../lib/http.js';
import { printerStore } from '../printers/wiring.js';

const wired = printerStore();

export async function orderParticipant(caller: Caller, printers: Pick<PrinterStore, 'listByOperator'> = wired) {
  const user = userOf(caller);
  const operated = new Set(user.groups.includes('printer') ? (await printers.listByOperator(user.userId)).map((p) => p.printerId) : []);
  return { userId: user.userId, groups: user.groups, printerIds: [...operated], operatesPrinter: (id: string) => operated.has(id) };
}
