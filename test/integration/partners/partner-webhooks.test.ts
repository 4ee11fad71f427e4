// Partners against the real local servers: DynamoDB Local for keys, endpoints, deliveries, shipments and certificates;
// the local KMS for the endpoints' sealed secrets; the local SQS carrying each delivery from attempt to attempt with
// ChangeMessageVisibility, exactly as the deliverWebhook handler does on SQS; and loopback HTTP receivers that check
// the Standard Webhooks signature and answer 500 then 200, or 410. The schedule is passed in as seconds, not hours.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { processEach } from '../../../functions/lib/sqs.js';
import { queues as queueSpecs, tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { startKms } from '../../../local/servers/kms.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startQueues } from '../../../local/servers/queues.js';
import { DynamoDbMaterialCertificates } from '../../../shared/adapters/dynamodb-material-certificates.js';
import { DynamoDbPartnerKeys } from '../../../shared/adapters/dynamodb-partner-keys.js';
import { DynamoDbShipments } from '../../../shared/adapters/dynamodb-shipments.js';
import { DynamoDbWebhookDeliveries, DynamoDbWebhookEndpoints } from '../../../shared/adapters/dynamodb-webhooks.js';
import { FetchWebhookSender } from '../../../shared/adapters/fetch-webhook-sender.js';
import { KmsDataKeys } from '../../../shared/adapters/kms-data-keys.js';
import { SqsDeliveryQueue } from '../../../shared/adapters/sqs-delivery-queue.js';
import { authorizePartner, hashKeySecret, newApiKey } from '../../../shared/partners/api-keys.js';
import { attemptDelivery, createWebhookEndpoint, listWebhookDeliveries, listWebhookEndpoints, publishPartnerEvent } from '../../../shared/partners/outbound-webhooks.js';
import { secretBytes } from '../../../shared/partners/partners.js';
import type { Shipment } from '../../../shared/partners/shipments.js';
import { until } from '../../support/until.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const table = `partners-${randomUUID()}`;

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A loopback receiver that answers with the next status of its script (the last one repeats). */
async function receiver(script: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(script[Math.min(received.length - 1, script.length - 1)]!).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('partners on the local servers', () => {
  let dir: string;
  let kms: Awaited<ReturnType<typeof startKms>>;
  let sqsServer: Awaited<ReturnType<typeof startQueues>>;
  let sqs: SQSClient;
  let kmsClient: KMSClient;
  let dataKeys: KmsDataKeys;

  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
    dir = await mkdtemp(join(tmpdir(), 'dpm-partners-'));
    kms = await startKms({ port: 0, dataDir: join(dir, 'kms') });
    sqsServer = await startQueues({ port: 0, dataDir: join(dir, 'sqs'), queues: { webhooks: queueSpecs.webhooks } });
    sqs = new SQSClient({ endpoint: sqsServer.url, region: localRegion, credentials: localCredentials });
    kmsClient = new KMSClient({ endpoint: kms.url, region: localRegion, credentials: localCredentials });
    dataKeys = new KmsDataKeys(kmsClient, await kms.createKey({ alias: 'alias/test-data', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: 'test' }));
  });

  afterAll(async () => {
    sqs?.destroy();
    kmsClient?.destroy();
    await sqsServer?.close();
    await kms?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('API keys: a duplicate id is refused, revocation sticks at its first time and is seen at once', async () => {
    const keys = new DynamoDbPartnerKeys(dynamo, table);
    const { keyId, secret, apiKey } = newApiKey();
    const record = { keyId, partnerId: 'partner-k', label: 'ops', scopes: ['shipments:read' as const], secretHash: hashKeySecret(keyId, secret), createdAt: '2026-12-02T08:00:00Z' };
    expect(await keys.create(record)).toBe(true);
    expect(await keys.create(record)).toBe(false);
    expect(await authorizePartner(apiKey, 'shipments:read', { partnerKeys: keys })).toMatchObject({ partnerId: 'partner-k' });
    expect((await keys.revoke(keyId, '2026-12-02T09:00:00Z'))?.revokedAt).toBe('2026-12-02T09:00:00Z');
    expect((await keys.revoke(keyId, '2026-12-02T10:00:00Z'))?.revokedAt).toBe('2026-12-02T09:00:00Z');
    expect(await keys.revoke('ffffffffffffffff', '2026-12-02T10:00:00Z')).toBeUndefined();
    await expect(authorizePartner(apiKey, 'shipments:read', { partnerKeys: keys })).rejects.toMatchObject({ code: 'Unauthenticated' });
    expect((await keys.listByPartner('partner-k')).map((k) => k.keyId)).toEqual([keyId]);
  });

  it('shipments are listed per carrier, newest first; certificates once per issuer and id, listed by lot', async () => {
    const shipments = new DynamoDbShipments(dynamo, table);
    const s = (orderId: string, carrierId: string, requestedAt: string): Shipment => ({ orderId, carrierId, productId: `prd_${orderId}`, state: 'label_requested', parcel: { weightGrams: 200, material: 'PLA', contents: 'x' }, pickup: { printerId: 'p', region: 'Lyon' }, requestedAt, updatedAt: requestedAt });
    expect(await shipments.create(s('o1', 'c1', '2026-12-02T08:00:00Z'))).toBe(true);
    expect(await shipments.create(s('o1', 'c1', '2026-12-02T08:00:00Z'))).toBe(false);
    await shipments.create(s('o2', 'c1', '2026-12-02T09:00:00Z'));
    await shipments.create(s('o3', 'c2', '2026-12-02T10:00:00Z'));
    expect((await shipments.listByCarrier('c1', 10)).map((x) => x.orderId)).toEqual(['o2', 'o1']);

    const certs = new DynamoDbMaterialCertificates(dynamo, table);
    const c = { certificateId: 'cert-1', lotId: 'LOT-1', material: 'PLA' as const, documentSha256: 'a'.repeat(64), issuedAt: '2026-11-30T00:00:00Z', issuerPartnerId: 's1', via: 'api' as const, recordedAt: '2026-12-02T08:00:00Z' };
    expect(await certs.create(c)).toBe(true);
    expect(await certs.create({ ...c, lotId: 'LOT-2' })).toBe(false);
    expect(await certs.create({ ...c, issuerPartnerId: 's2' })).toBe(true);
    expect((await certs.listByLot('LOT-1')).map((x) => x.issuerPartnerId).sort()).toEqual(['s1', 's2']);
    expect(await certs.listByLot('LOT-2')).toEqual([]);
  });

  it('a delivery rides the local SQS from a 500 to a 200, signed with the sealed secret; a 410 disables its endpoint', async () => {
    const partnerId = `partner-${randomUUID().slice(0, 8)}`;
    const partnerKeys = new DynamoDbPartnerKeys(dynamo, table);
    const { keyId, secret, apiKey } = newApiKey();
    await partnerKeys.create({ keyId, partnerId, label: 'hooks', scopes: ['webhooks:manage'], secretHash: hashKeySecret(keyId, secret), createdAt: '2026-12-02T08:00:00Z' });
    const flaky = await receiver([500, 200]);
    const gone = await receiver([410]);
    const endpoints = new DynamoDbWebhookEndpoints(dynamo, table);
    const deliveries = new DynamoDbWebhookDeliveries(dynamo, table);
    const queue = new SqsDeliveryQueue(sqs, sqsServer.queueUrl('webhooks'));
    const now = () => new Date();
    const deps = { partnerKeys, endpoints, deliveries, dataKeys, queue, sender: new FetchWebhookSender(5000), now, schedule: [0, 1, 1] };

    const flakyEndpoint = await createWebhookEndpoint({ apiKey, url: flaky.url, eventTypes: ['order.delivered'] }, deps);
    await createWebhookEndpoint({ apiKey, url: gone.url, eventTypes: ['order.delivered', 'shipment.label_requested'] }, deps);
    // What deliverWebhook runs for each batch, on the local SQS's Lambda-like consumer.
    const detach = sqsServer.attachConsumer('webhooks', (records) => processEach(records, sqs, async (r) => {
      const next = await attemptDelivery(JSON.parse(r.body) as { deliveryId: string }, deps);
      return next.kind === 'wake-later' ? { retryAfterSeconds: next.afterSeconds } : undefined;
    }), { batchSize: 10 });
    try {
      const { deliveryIds } = await publishPartnerEvent({ eventId: `order.delivered:${partnerId}`, type: 'order.delivered', partnerId, occurredAt: now().toISOString(), data: { orderId: 'ord_x' } }, deps);
      expect(deliveryIds).toHaveLength(2);
      const settled = await until('both deliveries settled', () => listWebhookDeliveries({ apiKey, limit: 10 }, deps), (l) => l.length === 2 && l.every((d) => d.state !== 'pending'), 200);
      const byEndpoint = Object.fromEntries(settled.map((d) => [d.endpointId, d]));
      expect(byEndpoint[flakyEndpoint.endpointId]).toMatchObject({ state: 'delivered', attempts: [{ outcome: 'failed', statusCode: 500 }, { outcome: 'delivered', statusCode: 200 }] });
      expect(flaky.received).toHaveLength(2);
      // The receiver's check, as Standard Webhooks libraries do it.
      for (const r of flaky.received) {
        const signed = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
        expect(r.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', secretBytes(flakyEndpoint.secret)).update(signed).digest('base64')}`);
        expect(r.headers['webhook-id']).toBe(byEndpoint[flakyEndpoint.endpointId]!.deliveryId);
      }
      const goneDelivery = settled.find((d) => d.endpointId !== flakyEndpoint.endpointId)!;
      expect(goneDelivery).toMatchObject({ state: 'failed', attempts: [{ outcome: 'gone', statusCode: 410 }] });
      expect(gone.received).toHaveLength(1);
      const listed = await listWebhookEndpoints({ apiKey }, deps);
      expect(listed.find((e) => e.endpointId === goneDelivery.endpointId)).toMatchObject({ state: 'disabled' });
      // Nothing is left on the queue once both deliveries settled.
      await until('queue drained', async () => sqsServer.depth('webhooks'), (d) => d.visible === 0 && d.inFlight === 0, 100);
    } finally {
      await detach();
      await flaky.close();
      await gone.close();
    }
  });
});
