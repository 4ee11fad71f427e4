// Order step (callback): wait for the accepted job to be printed.
import { z } from 'zod';
import { awaitPrint } from '../../shared/orders/order-steps.js';
import { orderId, taskToken, workflowTask } from '../lib/workflow-task.js';
import { clock, orderStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), callbacks: taskCallbacks(), ...clock };

// `accepted` is the Dispatch step's result: the job its printer took.
export const handler = workflowTask(z.object({ orderId, taskToken, accepted: z.object({ jobId: z.string().max(64) }).nullish() }), (input) => awaitPrint(input, deps));
