// Order step (callback): slice for the next matching printer, seal the G-code to it, offer the job, wait for its answer.
import { z } from 'zod';
import { dispatchPrintJob } from '../../shared/orders/order-steps.js';
import { orderId, stepError, taskToken, workflowTask } from '../lib/workflow-task.js';
import { designDataKeys, designFiles, designStore } from '../designs/wiring.js';
import { printerMessages, printerShadows } from '../printers/wiring.js';
import { GcodeMemo } from '../../shared/printing/gcode-memo.js';
import { clock, orderStore, printFiles, referenceTtlMs, taskCallbacks } from './wiring.js';
import { withRecent } from '../lib/recent.js';
import { matchReads } from './match-reads.js';

// The design is read for its file and its size; its terms were checked when the order was placed.
const deps = { orders: orderStore(), designs: withRecent(designStore(), referenceTtlMs, { get: true }), ...matchReads(), shadows: printerShadows(), designFiles: designFiles(), dataKeys: designDataKeys(), printFiles: printFiles(), messages: printerMessages(), callbacks: taskCallbacks(), gcodeMemo: new GcodeMemo(), ...clock };

export const handler = workflowTask(z.object({ orderId, taskToken, lastError: stepError }), (input) => dispatchPrintJob(input, deps));
