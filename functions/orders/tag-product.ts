// Order step: serial, signed Digital Link, and the product's first steps on the ledger.
import { z } from 'zod';
import { gtinBase } from '../../infra/platform.js';
import { tagProduct } from '../../shared/orders/order-steps.js';
import { orderId, workflowTask } from '../lib/workflow-task.js';
import { designDataKeys } from '../designs/wiring.js';
import { certificates } from '../partners/wiring.js';
import { printerMessages, printerStore } from '../printers/wiring.js';
import { clock, ledgerEvents, orderStore, publicBaseUrl, referenceTtlMs, tagSigner, tagStore } from './wiring.js';
import { withRecent } from '../lib/recent.js';

// The printer that printed is read for its operator, its device key and its declared lots, through a 2 s memo: the
// same printer tags one product after another.
const deps = { orders: orderStore(), certificates: certificates(), events: ledgerEvents(), signer: tagSigner(), dataKeys: designDataKeys(), tags: tagStore(), printers: withRecent(printerStore(), referenceTtlMs, { get: true }), messages: printerMessages(), gtinBase, ...clock };
// Read on first use: the embedded platform knows its public host only once its gateway listens, and a restarted
// execution may reach this step before that.
let tagBaseUrl: string | undefined;

export const handler = workflowTask(z.object({ orderId }), (input) => tagProduct(input, { ...deps, tagBaseUrl: (tagBaseUrl ??= publicBaseUrl()) }));
