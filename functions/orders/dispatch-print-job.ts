// Order step (callback): slice for the next matching printer, seal the G-code to it, offer the job, wait for its answer.
import { z } from 'zod';
import { dispatchPrintJob } from '../../shared/orders/order-steps.js';
import { orderId, stepError, taskToken, workflowTask } from '../lib/workflow-task.js';
import { designDataKeys, designFiles, designStore } from '../designs/wiring.js';
import { printerMessages, printerShadows, printerStore } from '../printers/wiring.js';
import { GcodeMemo } from '../../shared/printing/gcode-memo.js';
import { clock, orderStore, printFiles, ratingStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), designs: designStore(), printers: printerStore(), shadows: printerShadows(), ratings: ratingStore(), designFiles: designFiles(), dataKeys: designDataKeys(), printFiles: printFiles(), messages: printerMessages(), callbacks: taskCallbacks(), gcodeMemo: new GcodeMemo(), ...clock };

export const handler = workflowTask(z.object({ orderId, taskToken, lastError: stepError }), (input) => dispatchPrintJob(input, deps));
