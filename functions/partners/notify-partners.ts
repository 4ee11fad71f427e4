// Domain events on the bus → partners' webhooks: a shipment with a partner carrier asks it for a label, a delivery
// tells it. EventBridge retries a failure (and parks it in the rules' dead-letter queue after that); the use case is
// idempotent on the event, so a retry publishes nothing twice.
import type { EventBridgeEvent } from 'aws-lambda';
import { parseLedgerEvent } from '../../events/ledger-events.js';
import { notifyPartners } from '../../shared/partners/shipments.js';
import { logger } from '../lib/observability.js';
import { orderStore } from '../orders/wiring.js';
import { printerStore } from '../printers/wiring.js';
import { clock, deliveryQueue, partnerStore, shipments, webhookDeliveries, webhookEndpoints } from './wiring.js';

const deps = { orders: orderStore(), printers: printerStore(), partners: partnerStore(), shipments: shipments(), endpoints: webhookEndpoints(), deliveries: webhookDeliveries(), queue: deliveryQueue(), ...clock };

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  const domainEvent = parseLedgerEvent(event.detail);
  const { published } = await notifyPartners(domainEvent, deps);
  if (published.length) logger.info('Partner webhooks queued', { eventId: domainEvent.eventId, deliveries: published });
};
