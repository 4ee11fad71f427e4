// Order step: handed to the carrier.
import { z } from 'zod';
import { shipProduct } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { carrier, clock, ledgerEvents, orderStore, notifications } from './wiring.js';

const deps = { orders: orderStore(), events: ledgerEvents(), notifications: notifications(), ...carrier, ...clock };

export const handler = workflowTask(z.object({ orderId }), (input) => shipProduct(input, deps));
