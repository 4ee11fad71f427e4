// Order step (callback): wait for the accepted job to be printed.
import { z } from 'zod';
import { awaitPrint } from '../../shared/orders/order-steps.js';
import { orderId, taskToken, workflowTask } from '../lib/workflow-task.js';
import { clock, orderStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), callbacks: taskCallbacks(), ...clock };

export const handler = workflowTask(z.object({ orderId, taskToken }), (input) => awaitPrint(input, deps));
