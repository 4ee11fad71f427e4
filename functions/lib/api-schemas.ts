// The request schemas of every HTTP route, by route key. Handlers take their schemas from here and the OpenAPI
// document (GET /openapi.json) is generated from the same objects, so the two cannot disagree. A test checks that
// every route of the platform description has an entry.
import { z } from 'zod';
import { LicenseTermsInput, DesignDraftInput, materials } from '../../shared/designs/design.js';
import { PlaceOrderInput, QuoteInput } from '../../shared/orders/order.js';
import { JobDecisionInput } from '../../shared/orders/operator-jobs.js';
import { RatingInput } from '../../shared/orders/ratings.js';
import { TransferInput } from '../../shared/orders/ownership.js';
import { MessageInput } from '../../shared/orders/messages.js';
import { IssueKeyInput, type PartnerScope } from '../../shared/partners/api-keys.js';
import { CarrierStatus } from '../../shared/partners/inbound-webhooks.js';
import { MaterialCertificateInput } from '../../shared/partners/material-certificates.js';
import { CreateEndpointInput, ListDeliveriesQuery } from '../../shared/partners/outbound-webhooks.js';
import { RegisterPartnerInput } from '../../shared/partners/partners.js';
import { ListShipmentsQuery, ReportLabelInput } from '../../shared/partners/shipments.js';
import { statementLinesShown } from '../../shared/payments/accounting.js';
import { PrinterConfigInput, PrinterTermsInput, RegisterPrinterInput } from '../../shared/printers/printer.js';
import { ProfileInput } from '../../shared/profiles/profile.js';
import { SignUpInput } from '../../shared/profiles/sign-up.js';
import { PayoutAccountInput } from '../../shared/payments/payout-accounts.js';
import { RefundInput } from '../../shared/orders/refunds.js';
import { ChangeRoleInput, ListUsersQuery } from '../../shared/admin/users.js';

export interface RouteSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  summary: string;
  /** A partner route (public at the gateway): the API key scope its use case requires. */
  partnerScope?: PartnerScope;
  /** The media type of a successful answer, when it is not JSON. */
  produces?: string;
}

export const SearchDesignsQuery = z.strictObject({
  q: z.string().max(200).optional(),
  material: z.enum(materials).optional(),
  maxPriceCents: z.coerce.number().int().min(0).optional(),
  maxSizeMm: z.coerce.number().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const PrintabilityRequest = z.strictObject({ printerId: z.string().min(1).max(128) });

/** A tapped or scanned Digital Link: `s` (the link's signature) and, from an NFC tap, `uid`, `ctr` and `cmac`. */
export const VerifyQuery = z.record(z.string(), z.string().max(512));

/** The dashboard's window, in minutes (the figures' history has one point per minute). */
export const OperationsQuery = z.strictObject({ windowMinutes: z.coerce.number().int().min(5).max(60).default(15) });

export const routeSchemas = {
  'GET /health': { summary: 'Health of each component' },
  'GET /me': { summary: 'The caller, as the platform sees them' },
  'POST /signup': { summary: 'Open a designer, customer or printer-operator account', body: SignUpInput },
  'PUT /me': { summary: 'Edit the caller’s own profile', body: ProfileInput },
  'POST /designs': { summary: 'Start a design; returns a presigned upload URL for its STL', body: DesignDraftInput },
  'POST /designs/{designId}/ingest': { summary: 'Check, fingerprint, seal and register an uploaded STL' },
  'GET /designs/{designId}': { summary: 'The public page of a listed design' },
  'GET /designs': { summary: 'Search the catalogue', query: SearchDesignsQuery },
  'GET /me/designs': { summary: 'The caller’s designs, drafts included, with the prints taken from each edition' },
  'GET /designs/{designId}/preview': { summary: 'A listed design’s preview: a reduced mesh as binary STL (never the design itself)', produces: 'model/stl' },
  'GET /me/designs/{designId}/preview': { summary: 'The preview of one of the caller’s designs, drafts and rejected uploads included (binary STL)', produces: 'model/stl' },
  'GET /me/ratings': { summary: 'The ratings and feedback the calling designer received, with their mean' },
  'PUT /designs/{designId}/terms': { summary: 'Publish a new version of a design’s licence terms', body: LicenseTermsInput },
  'GET /designs/{designId}/terms': { summary: 'Every version of a listed design’s licence terms' },
  'DELETE /designs/{designId}': { summary: 'Withdraw a design from sale' },
  'POST /printers': { summary: 'Register a printer (idempotent on its device key); returns its IoT credentials', body: RegisterPrinterInput },
  'PUT /printers/{printerId}/config': { summary: 'Change a printer’s configuration', body: PrinterConfigInput },
  'PUT /printers/{printerId}/terms': { summary: 'Publish a new version of a printer’s terms', body: PrinterTermsInput },
  'GET /me/printers': { summary: 'The operator’s printers with what each last reported' },
  'GET /printers': { summary: 'Printers customers can choose from' },
  'POST /designs/{designId}/printability': { summary: 'Ask a printer for a signed proof of printability', body: PrintabilityRequest },
  'GET /designs/{designId}/printability': { summary: 'Signed proofs of printability of a design' },
  'POST /quotes': { summary: 'An itemized quote on a chosen or matched printer', body: QuoteInput },
  'POST /orders': { summary: 'Place an order (idempotent on clientOrderId) and start its workflow', body: PlaceOrderInput },
  'GET /orders/{orderId}': { summary: 'An order, for those involved in it' },
  'GET /orders/{orderId}/events': { summary: 'An order as Server-Sent Events (`event: order`), sent again whenever it changes; reconnect when the stream ends' },
  'GET /me/orders': { summary: 'The caller’s orders' },
  'GET /me/notifications': { summary: 'The caller’s in-app notifications, newest first' },
  'GET /me/jobs': { summary: 'The operator’s jobs: offers held for their decision, jobs printing and just finished' },
  'POST /jobs/{jobId}/decision': { summary: 'Accept or reject an offer the operator’s printer holds; the printer answers the order', body: JobDecisionInput },
  'GET /me/payments': { summary: `The caller’s accounts (payments, royalties, payouts; the platform’s for admins): each balance, its latest ${statementLinesShown} statement lines, and earlierLinesOmitted when it has more` },
  'POST /me/payout-account': { summary: 'Open the caller’s payout account (Stripe Express, once) and get a fresh onboarding link', body: PayoutAccountInput },
  'GET /me/payout-account': { summary: 'The caller’s payout account: ready for transfers, charges and payouts enabled, requirements due' },
  'POST /webhooks/stripe': { summary: 'Stripe’s events, verified by their Stripe-Signature header; each is applied once (account.updated, charge.refunded, charge.dispute.created/closed)' },
  'POST /orders/{orderId}/refund': { summary: 'Refund a completed order (admins): transfers reversed, charge refunded, books reversed', body: RefundInput },
  'POST /orders/{orderId}/delivery': { summary: 'Confirm that the product arrived' },
  'POST /orders/{orderId}/messages': { summary: 'Write to the other side of an order (customer ↔ printer operator), idempotent on messageId', body: MessageInput },
  'GET /orders/{orderId}/messages': { summary: 'The conversation about an order' },
  'GET /me/conversations': { summary: 'The order conversations the caller is part of, newest first, with their latest message' },
  'POST /orders/{orderId}/rating': { summary: 'Rate the designer and the printer of a delivered order, once', body: RatingInput },
  'POST /products/{productId}/transfer': { summary: 'Pass a delivered product on to a new owner (resale), idempotent on transferId', body: TransferInput },
  'GET /products/{productId}/epcis': { summary: 'The product’s memory as GS1 EPCIS 2.0 events (JSON-LD)' },
  'GET /products/{productId}/passport': { summary: 'The product’s digital product passport' },
  'GET /01/{gtin}/21/{serial}': { summary: 'Verify a product from its tag (GS1 Digital Link): verdict and memory', query: VerifyQuery },
  'POST /partners': { summary: 'Register a partner (carrier, supplier, shop); its webhook secret is shown once', body: RegisterPartnerInput },
  'POST /partners/{partnerId}/keys': { summary: 'Issue a scoped API key for a partner; the key is shown once, only its hash is kept', body: IssueKeyInput },
  'GET /partners/{partnerId}/keys': { summary: 'A partner’s API keys (id, label, scopes, revocation; never the secret)' },
  'DELETE /partners/{partnerId}/keys/{keyId}': { summary: 'Revoke a partner’s API key' },
  'GET /partner/shipments': { summary: 'The calling carrier’s shipments, newest first', query: ListShipmentsQuery, partnerScope: 'shipments:read' },
  'PUT /partner/shipments/{orderId}/label': { summary: 'Report the label and tracking number of a shipment the caller carries', body: ReportLabelInput, partnerScope: 'shipments:write' },
  'POST /partner/material-certificates': { summary: 'Record a certificate for a lot of material (idempotent on certificateId)', body: MaterialCertificateInput, partnerScope: 'materials:write' },
  'POST /partner/webhook-endpoints': { summary: 'Subscribe a URL to event types; its whsec_ signing secret is shown once', body: CreateEndpointInput, partnerScope: 'webhooks:manage' },
  'GET /partner/webhook-endpoints': { summary: 'The caller’s webhook endpoints', partnerScope: 'webhooks:manage' },
  'DELETE /partner/webhook-endpoints/{endpointId}': { summary: 'Unsubscribe a webhook endpoint', partnerScope: 'webhooks:manage' },
  'POST /partner/webhook-endpoints/{endpointId}/enable': { summary: 'Turn a disabled webhook endpoint back on', partnerScope: 'webhooks:manage' },
  'GET /partner/webhook-deliveries': { summary: 'The caller’s webhook deliveries with every attempt, newest first', query: ListDeliveriesQuery, partnerScope: 'webhooks:manage' },
  'POST /partner/webhook-deliveries/{deliveryId}/replay': { summary: 'Run a delivery through the retry schedule again, with the same webhook-id', partnerScope: 'webhooks:manage' },
  'POST /webhooks/suppliers/{partnerId}': { summary: 'A supplier’s material certificate, signed the Standard Webhooks way', body: MaterialCertificateInput },
  'POST /webhooks/carriers/{partnerId}': { summary: 'A carrier’s status update, signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature)', body: CarrierStatus },
  'GET /openapi.json': { summary: 'This document' },
  'GET /admin/operations': { summary: 'The admin dashboard: orders per minute, workflow failures, ledger backlog and commit latency, printers online, errors', query: OperationsQuery },
  'GET /admin/users': { summary: 'Accounts with their roles and status; `q` searches by e-mail prefix', query: ListUsersQuery },
  'PUT /admin/users/{username}/role': { summary: 'Give an account one role (not your own admin role)', body: ChangeRoleInput },
  'POST /admin/users/{username}/disable': { summary: 'Disable an account: it can no longer sign in (not your own)' },
  'POST /admin/users/{username}/enable': { summary: 'Enable a disabled account' },
} as const satisfies Record<string, RouteSchemas>;

export type RouteKey = keyof typeof routeSchemas;
