// POST /webhooks/carriers/{partnerId}: a carrier's signed status updates (Standard Webhooks). `delivered` confirms the
// delivery of the order it references, which releases its escrow. A replayed or retried webhook changes nothing.
import { receiveCarrierStatus } from '../../shared/partners/inbound-webhooks.js';
import { httpRoute } from '../lib/http.js';
import { orderStore, taskCallbacks } from '../orders/wiring.js';
import { clock, partnerDataKeys, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), dataKeys: partnerDataKeys(), orders: orderStore(), callbacks: taskCallbacks(), ...clock };

export const handler = httpRoute({ run: async ({ path, headers, rawBody }) => ({ body: await receiveCarrierStatus({ partnerId: path.partnerId!, headers, rawBody }, deps) }) });
