// POST /webhooks/stripe: Stripe's events (on the embedded platform, its Stripe-shaped ones), verified against the
// endpoint secret and handled once per event id. A 2xx tells Stripe to stop re-delivering; an error lets it retry.
import { handlePaymentEvent } from '../../shared/payments/handle-payment-event.js';
import { httpRoute } from '../lib/http.js';
import { printerStore } from '../printers/wiring.js';
import { books, clock, handledPaymentEvents, notifications, orderStore, paymentGateway, paymentWebhooks, payoutAccounts } from '../orders/wiring.js';

const webhooks = await paymentWebhooks();
const deps = {
  orders: orderStore(),
  payments: await paymentGateway(),
  books: books(),
  notifications: notifications(),
  printers: printerStore(),
  payoutAccounts: payoutAccounts(),
  handledEvents: handledPaymentEvents(),
  ...clock,
};

export const handler = httpRoute({
  run: async ({ headers, rawBody }) => ({ body: await handlePaymentEvent(webhooks.read(rawBody, headers['stripe-signature'], deps.now()), deps) }),
});
