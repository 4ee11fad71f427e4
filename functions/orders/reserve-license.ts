// Order step: a print from the design's edition.
import { z } from 'zod';
import { reserveLicense } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { clock, licenseReservations, orderStore } from './wiring.js';

const deps = { orders: orderStore(), licenses: licenseReservations(), ...clock };

export const handler = workflowTask(z.object({ orderId }), (input) => reserveLicense(input, deps));
