// Order step: the customer's money into escrow.
import { z } from 'zod';
import { chargeEscrow } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { books, clock, orderStore, paymentGateway } from './wiring.js';

const deps = { orders: orderStore(), payments: await paymentGateway(), books: books(), ...clock };

export const handler = workflowTask(z.object({ orderId }), (input) => chargeEscrow(input, deps));
