// The partner handlers' dependencies, built once per cold start. Each factory reads only the variables its function
// is bound to (infra/platform.ts `uses`), so a handler that needs no KMS key does not ask for one.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EventBridgeLedgerEvents } from '../../shared/adapters/eventbridge-ledger-events.js';
import { DynamoDbMaterialCertificates } from '../../shared/adapters/dynamodb-material-certificates.js';
import { DynamoDbPartnerKeys } from '../../shared/adapters/dynamodb-partner-keys.js';
import { DynamoDbPartners } from '../../shared/adapters/dynamodb-partners.js';
import { DynamoDbShipments } from '../../shared/adapters/dynamodb-shipments.js';
import { DynamoDbWebhookDeliveries, DynamoDbWebhookEndpoints } from '../../shared/adapters/dynamodb-webhooks.js';
import { FetchWebhookSender } from '../../shared/adapters/fetch-webhook-sender.js';
import { KmsDataKeys } from '../../shared/adapters/kms-data-keys.js';
import { SqsDeliveryQueue } from '../../shared/adapters/sqs-delivery-queue.js';
import { dynamoDbClient, sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';

const aws = readConfig(awsClientConfig);
const table = () => readConfig(z.object({ TABLE_MAIN: z.string().min(1) })).TABLE_MAIN;

export const partnerStore = () => new DynamoDbPartners(dynamoDbClient(aws), table());
export const partnerKeys = () => new DynamoDbPartnerKeys(dynamoDbClient(aws), table());
export const shipments = () => new DynamoDbShipments(dynamoDbClient(aws), table());
export const certificates = () => new DynamoDbMaterialCertificates(dynamoDbClient(aws), table());
/** Certificates become steps of their lot's ledger asset, through the bus like every ledger event. */
export const ledgerEvents = () => new EventBridgeLedgerEvents(new EventBridgeClient(sdkConfig(aws)), readConfig(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME);
export const webhookEndpoints = () => new DynamoDbWebhookEndpoints(dynamoDbClient(aws), table());
export const webhookDeliveries = () => new DynamoDbWebhookDeliveries(dynamoDbClient(aws), table());
export const partnerDataKeys = () => new KmsDataKeys(new KMSClient(sdkConfig(aws)), readConfig(z.object({ KEY_DATA: z.string().min(1) })).KEY_DATA);
export const sqsClient = () => new SQSClient(sdkConfig(aws));
export const deliveryQueue = () => new SqsDeliveryQueue(sqsClient(), readConfig(z.object({ QUEUE_WEBHOOKS_URL: z.string().min(1) })).QUEUE_WEBHOOKS_URL);
/** Receivers get 15 s to answer, Standard Webhooks' usual budget; the worker's Lambda timeout leaves room for it. */
export const webhookSender = () => new FetchWebhookSender(15_000);
export const partnerIds = { newId: () => randomUUID() };
export const clock = { now: () => new Date() };
