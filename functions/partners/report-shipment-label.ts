// PUT /partner/shipments/{orderId}/label: the carrier's label and tracking number for a shipment it was asked to carry
// (API key with shipments:write); the tracking number becomes the order's.
import { reportShipmentLabel } from '../../shared/partners/shipments.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { orderStore } from '../orders/wiring.js';
import { clock, partnerKeys, shipments } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), shipments: shipments(), orders: orderStore(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['PUT /partner/shipments/{orderId}/label'].body,
  run: async ({ headers, path, body }) => ({ body: await reportShipmentLabel({ ...body, apiKey: bearerOf(headers), orderId: path.orderId! }, deps) }),
});
