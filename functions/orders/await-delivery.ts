// Order step (callback): wait for the confirmation of delivery.
import { z } from 'zod';
import { awaitDelivery } from '../../shared/orders/order-steps.js';
import { orderId, taskToken, workflowTask } from '../lib/workflow-task.js';
import { clock, orderStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), callbacks: taskCallbacks(), ...clock };

export const handler = workflowTask(z.object({ orderId, taskToken }), (input) => awaitDelivery(input, deps));
