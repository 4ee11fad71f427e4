// Order step: serial, signed Digital Link, and the product's first steps on the ledger.
import { z } from 'zod';
import { gtinBase } from '../../infra/platform.js';
import { tagProduct } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { clock, ledgerEvents, orderStore, tagSigner, publicHost } from './wiring.js';

const deps = { orders: orderStore(), events: ledgerEvents(), signer: tagSigner(), gtinBase, ...clock };
// Read on first use: the embedded platform knows its public host only once its gateway listens, and a restarted
// execution may reach this step before that.
let tagHost: string | undefined;

export const handler = workflowTask(z.object({ orderId }), (input) => tagProduct(input, { ...deps, tagHost: (tagHost ??= publicHost()) }));
