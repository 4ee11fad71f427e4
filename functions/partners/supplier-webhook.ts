// POST /webhooks/suppliers/{partnerId}: a supplier's signed material certificate (Standard Webhooks), recorded once
// per certificate; a replayed or retried webhook changes nothing.
import { receiveSupplierCertificate } from '../../shared/partners/inbound-webhooks.js';
import { httpRoute } from '../lib/http.js';
import { certificates, clock, ledgerEvents, partnerDataKeys, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), dataKeys: partnerDataKeys(), certificates: certificates(), events: ledgerEvents(), ...clock };

export const handler = httpRoute({ run: async ({ path, headers, rawBody }) => ({ body: await receiveSupplierCertificate({ partnerId: path.partnerId!, headers, rawBody }, deps) }) });
