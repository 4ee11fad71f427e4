// Order step: the escrow split into royalty, printing fee and commission; the product passes to its owner.
import { z } from 'zod';
import { releaseEscrow } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { printerStore } from '../printers/wiring.js';
import { books, clock, ledgerEvents, orderStore, paymentGateway, notifications, payoutAccounts } from './wiring.js';

const deps = { orders: orderStore(), printers: printerStore(), notifications: notifications(), payments: await paymentGateway(), books: books(), payoutAccounts: payoutAccounts(), events: ledgerEvents(), ...clock };

export const handler = workflowTask(z.object({ orderId, confirmedBy: z.enum(['carrier', 'customer-scan']).optional() }), (input) => releaseEscrow(input, deps));
