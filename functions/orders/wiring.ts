// The orders handlers' dependencies, built once per cold start. PAYMENTS says which gateway takes the money: Stripe
// in AWS (its API key read from Secrets Manager), the local gateway on the embedded platform; the use cases are the same.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { z } from 'zod';
import { DynamoDbBooks } from '../../shared/adapters/dynamodb-books.js';
import { DynamoDbLicenseReservations } from '../../shared/adapters/dynamodb-license-reservations.js';
import { DynamoDbOrderStore, OrderMemory } from '../../shared/adapters/dynamodb-order-store.js';
import { DynamoDbTagStore } from '../../shared/adapters/dynamodb-tag-store.js';
import { DynamoDbRatings } from '../../shared/adapters/dynamodb-ratings.js';
import { DynamoDbOwnership } from '../../shared/adapters/dynamodb-ownership.js';
import { DynamoDbOrderMessages } from '../../shared/adapters/dynamodb-order-messages.js';
import { DynamoDbConversations } from '../../shared/adapters/dynamodb-conversations.js';
import { DynamoDbNotifications } from '../../shared/adapters/dynamodb-notifications.js';
import { DynamoDbPartners } from '../../shared/adapters/dynamodb-partners.js';
import { DynamoDbHandledEvents, DynamoDbPayoutAccounts } from '../../shared/adapters/dynamodb-payout-accounts.js';
import { EventBridgeLedgerEvents } from '../../shared/adapters/eventbridge-ledger-events.js';
import { KmsPlatformSigner } from '../../shared/adapters/kms-platform-signer.js';
import { LocalPaymentGateway } from '../../shared/adapters/local-payment-gateway.js';
import { S3BlobStore } from '../../shared/adapters/s3-blob-store.js';
import { secretStringOf } from '../../shared/adapters/secrets-manager-headers.js';
import { SfnOrderWorkflow, SfnTaskCallbacks } from '../../shared/adapters/sfn-order-workflow.js';
import { StripePaymentGateway, StripeWebhooks } from '../../shared/adapters/stripe-payment-gateway.js';
import type { PaymentGateway } from '../../shared/payments/payment-gateway.js';
import { platformCarrierId } from '../../shared/partners/shipments.js';
import { dynamoDbClient, s3Client, sdkConfig } from '../lib/clients.js';
import { recentAsOf } from '../lib/recent.js';
import { awsClientConfig, ConfigError, readConfig } from '../lib/config.js';

const aws = readConfig(awsClientConfig);
const table = () => readConfig(z.object({ TABLE_MAIN: z.string().min(1) })).TABLE_MAIN;

/** What this instance's order handlers last read or wrote of each order: see OrderMemory. */
const orderMemory = new OrderMemory();
export const orderStore = () => new DynamoDbOrderStore(dynamoDbClient(aws), table(), orderMemory);
export const notifications = () => new DynamoDbNotifications(dynamoDbClient(aws), table());
export const orderMessages = () => new DynamoDbOrderMessages(dynamoDbClient(aws), table());
export const conversations = () => new DynamoDbConversations(dynamoDbClient(aws), table());
export const ownershipStore = () => new DynamoDbOwnership(dynamoDbClient(aws), table());
export const ratingStore = () => new DynamoDbRatings(dynamoDbClient(aws), table());
/** How late an instance may see the fleet, the printers' ratings and the carriers (see ../lib/recent.ts). */
export const referenceTtlMs = 2000;
export const tagStore = () => new DynamoDbTagStore(dynamoDbClient(aws), table());
export const licenseReservations = () => new DynamoDbLicenseReservations(dynamoDbClient(aws), table());
export const books = () => new DynamoDbBooks(dynamoDbClient(aws), table());
export const payoutAccounts = () => new DynamoDbPayoutAccounts(dynamoDbClient(aws), table());
export const handledPaymentEvents = () => new DynamoDbHandledEvents(dynamoDbClient(aws), table());
export const orderWorkflow = () => new SfnOrderWorkflow(new SFNClient(sdkConfig(aws)), readConfig(z.object({ WORKFLOW_ORDER_ARN: z.string().min(1) })).WORKFLOW_ORDER_ARN);
export const taskCallbacks = () => new SfnTaskCallbacks(new SFNClient(sdkConfig(aws)));
export const ledgerEvents = () => new EventBridgeLedgerEvents(new EventBridgeClient(sdkConfig(aws)), readConfig(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME);
export const printFiles = () => new S3BlobStore(s3Client(aws), readConfig(z.object({ BUCKET_PRINT_FILES: z.string().min(1) })).BUCKET_PRINT_FILES);
/** The platform's tag key signs Digital Links; KMS keeps it, as it keeps the ledger key. */
export const tagSigner = () => new KmsPlatformSigner(new KMSClient(sdkConfig(aws)), readConfig(z.object({ KEY_TAG_SIGNING: z.string().min(1) })).KEY_TAG_SIGNING);
export const publicBaseUrl = () => readConfig(z.object({ PUBLIC_BASE_URL: z.url() })).PUBLIC_BASE_URL;

export const clock = { now: () => new Date() };

const PaymentsConfig = z.discriminatedUnion('kind', [z.object({ kind: z.literal('local') }), z.object({ kind: z.literal('stripe'), apiKeySecretArn: z.string() })]);

export async function paymentGateway(): Promise<PaymentGateway> {
  const { PAYMENTS: c } = readConfig(z.object({ PAYMENTS: z.string().transform((t) => PaymentsConfig.parse(JSON.parse(t))) }));
  if (c.kind === 'local') return new LocalPaymentGateway(dynamoDbClient(aws), table(), clock.now);
  if (!c.apiKeySecretArn) throw new ConfigError('PAYMENTS: no Stripe API key secret is configured (deploy with -c stripeSecretArn=<arn>)');
  const apiKey = await secretStringOf(new SecretsManagerClient(sdkConfig(aws)), c.apiKeySecretArn);
  if (!apiKey) throw new ConfigError(`PAYMENTS: the secret ${c.apiKeySecretArn} holds no API key`);
  return new StripePaymentGateway(new Stripe(apiKey.trim(), { maxNetworkRetries: 2 }));
}

/**
 * Where payment webhooks are verified: Stripe's endpoint secret (`whsec_…`) from Secrets Manager in AWS, the embedded
 * platform's own secret locally, whose Stripe-shaped events are signed the same way. One reader serves both.
 */
const WebhooksConfig = z.discriminatedUnion('kind', [z.object({ kind: z.literal('local'), endpointSecret: z.string().min(1) }), z.object({ kind: z.literal('stripe'), endpointSecretArn: z.string() })]);

export async function paymentWebhooks(): Promise<StripeWebhooks> {
  const { PAYMENT_WEBHOOKS: c } = readConfig(z.object({ PAYMENT_WEBHOOKS: z.string().transform((t) => WebhooksConfig.parse(JSON.parse(t))) }));
  if (c.kind === 'local') return new StripeWebhooks(c.endpointSecret);
  if (!c.endpointSecretArn) throw new ConfigError('PAYMENT_WEBHOOKS: no Stripe webhook secret is configured (deploy with -c stripeWebhookSecretArn=<arn>)');
  const endpointSecret = await secretStringOf(new SecretsManagerClient(sdkConfig(aws)), c.endpointSecretArn);
  if (!endpointSecret) throw new ConfigError(`PAYMENT_WEBHOOKS: the secret ${c.endpointSecretArn} holds no endpoint secret`);
  return new StripeWebhooks(endpointSecret.trim());
}

/**
 * The carrier of a shipment: the first registered carrier partner, else the platform's own account (`dpm-post`).
 * Tracking numbers are ours until carriers are asked for labels (their reference is the order id). The list is kept a
 * moment, but never one read before the order was placed: a carrier registered before the order always counts.
 */
const carriers = recentAsOf(referenceTtlMs, () => new DynamoDbPartners(dynamoDbClient(aws), table()).list('carrier'));
export const carrier = {
  carrierId: async (placedAt: string) => (await carriers(Date.parse(placedAt)))[0]?.partnerId ?? platformCarrierId,
  newTrackingNumber: () => `DPM${randomBytes(6).toString('hex').toUpperCase()}`,
};
