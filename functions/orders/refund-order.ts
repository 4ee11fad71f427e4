// Order step: every failure ends here.
import { z } from 'zod';
import { refundOrder } from '../../shared/orders/order-steps.js';
import { orderId, stepError, workflowTask } from '../lib/workflow-task.js';
import { printerStore } from '../printers/wiring.js';
import { books, clock, licenseReservations, orderStore, paymentGateway, notifications } from './wiring.js';

const deps = { orders: orderStore(), payments: await paymentGateway(), books: books(), licenses: licenseReservations(), notifications: notifications(), printers: printerStore(), ...clock };

export const handler = workflowTask(z.object({ orderId, failure: stepError }), (input) => refundOrder(input, deps));
