// AWS's "not now" answers become DependencyUnavailable, which the workflow's Retry, the queues and the API (503) treat
// as "try again". DynamoDB Local never cancels a transaction for a conflict (it runs one request at a time) and the
// local servers do not throttle, so a stub server answers here as DynamoDB and KMS do on the wire, to the unmodified
// SDK clients and the real adapters.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbBooks } from '../../../shared/adapters/dynamodb-books.js';
import { documentClient } from '../../../shared/adapters/dynamodb-document.js';
import { DynamoDbLicenseReservations } from '../../../shared/adapters/dynamodb-license-reservations.js';
import { KmsPlatformSigner } from '../../../shared/adapters/kms-platform-signer.js';
import { headersFromSecret, secretStringOf } from '../../../shared/adapters/secrets-manager-headers.js';
import { unavailableOf } from '../../../shared/adapters/aws-unavailable.js';
import { DependencyUnavailable } from '../../../shared/errors.js';

const canceled = (...codes: string[]) =>
  new TransactionCanceledException({ message: `Transaction cancelled [${codes.join(', ')}]`, $metadata: { httpStatusCode: 400 }, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('unavailableOf', () => {
  it('names a transaction cancelled for a conflict or throttling, keeping the cause', () => {
    for (const codes of [['None', 'TransactionConflict'], ['ThrottlingError'], ['ProvisionedThroughputExceeded', 'None'], ['ConditionalCheckFailed', 'TransactionConflict']]) {
      const err = canceled(...codes);
      const out = unavailableOf(err);
      expect(out, codes.join()).toBeInstanceOf(DependencyUnavailable);
      expect(out?.cause).toBe(err);
      expect(out?.message).toContain('TransactionCanceledException');
    }
  });

  it('keeps a transaction refused for its conditions or its input as the answer', () => {
    expect(unavailableOf(canceled('ConditionalCheckFailed', 'None'))).toBeUndefined();
    expect(unavailableOf(canceled('None', 'ValidationError'))).toBeUndefined();
    expect(unavailableOf(canceled())).toBeUndefined();
  });

  it('names conflicts with a transaction, throttling, server faults and refused connections', () => {
    const errs = [
      new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: { httpStatusCode: 400 } }),
      new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ];
    for (const err of errs) expect(unavailableOf(err), err.name).toBeInstanceOf(DependencyUnavailable);
  });

  it('leaves answers alone', () => {
    expect(unavailableOf(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }))).toBeUndefined();
    expect(unavailableOf(Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBeUndefined();
    expect(unavailableOf(new Error('a bug'))).toBeUndefined();
    expect(unavailableOf('not an error')).toBeUndefined();
  });
});

describe('adapters over the wire', () => {
  let server: Server;
  let endpoint: string;
  /** What the stub answers once `queue` is empty: a status and the JSON body, as DynamoDB or KMS would send it. */
  let answer: { status: number; body: Record<string, unknown> };
  /** Answers taken, in turn, before `answer`. */
  let queue: { status: number; body: Record<string, unknown> }[] = [];
  let requests: string[] = [];
  const error = (type: string, extra: Record<string, unknown> = {}) => ({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type, ...extra });
  const options = () => ({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 2 });
  const client = () => new DynamoDBClient(options());

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(String(req.headers['x-amz-target']));
      req.resume();
      req.on('end', () => {
        const { status, body } = queue.shift() ?? answer;
        res.writeHead(status, { 'content-type': String(req.headers['content-type']) });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    requests = [];
    queue = [];
  });

  it('a license release that met another transaction fails to be retried, where it passed for "nothing reserved"', async () => {
    const licenses = new DynamoDbLicenseReservations(client(), 'main');
    answer = { status: 400, body: error('TransactionCanceledException', { CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }] }) };
    const err = await licenses.release({ designId: 'd1', orderId: 'o1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailable);
    expect((err as Error).cause).toBeInstanceOf(TransactionCanceledException);
    // The SDK does not retry a cancelled transaction itself: the one attempt is all it made.
    expect(requests).toEqual(['DynamoDB_20120810.TransactWriteItems']);

    answer = { status: 400, body: error('TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }) };
    await expect(licenses.release({ designId: 'd1', orderId: 'o1' })).resolves.toBeUndefined();
  });

  it('a reservation that met another order’s in flight looks again, as after a lost race', async () => {
    const licenses = new DynamoDbLicenseReservations(client(), 'main');
    const design = { status: 200, body: { Item: { design: { M: { status: { S: 'listed' }, terms: { M: { editionSize: { N: '10' }, version: { N: '3' } } } } }, sold: { N: '2' }, issued: { N: '4' } } } };
    const conflict = { status: 400, body: error('TransactionCanceledException', { CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] }) };
    queue = [design, conflict, design, conflict, design];
    answer = { status: 200, body: {} };
    await expect(licenses.reserve({ designId: 'd1', orderId: 'o1' })).resolves.toEqual({ outcome: 'reserved', designId: 'd1', orderId: 'o1', printNumber: 5, termsVersion: 3 });
    expect(requests).toEqual(['GetItem', 'TransactWriteItems', 'GetItem', 'TransactWriteItems', 'GetItem', 'TransactWriteItems'].map((op) => `DynamoDB_20120810.${op}`));
  });

  it('a posting that met another on the escrow balance fails to be retried; one posted before is still a no-op', async () => {
    const books = new DynamoDbBooks(client(), 'main');
    const entry = { orderId: 'o1', step: 'escrow', at: '2026-12-03T00:00:00.000Z', postings: [{ account: 'customer:c1', amountCents: -500 }, { account: 'escrow', amountCents: 500 }] };
    answer = { status: 400, body: error('TransactionCanceledException', { CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }] }) };
    await expect(books.post(entry)).rejects.toBeInstanceOf(DependencyUnavailable);
    answer = { status: 400, body: error('TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }] }) };
    await expect(books.post(entry)).resolves.toBe(false);
  });

  it('a server fault left after the SDK retries is DependencyUnavailable; a refused condition is not', async () => {
    const doc = documentClient(client());
    answer = { status: 500, body: error('InternalServerError') };
    const failed = await doc.send(new GetCommand({ TableName: 'main', Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DependencyUnavailable);
    expect(requests).toHaveLength(2);

    answer = { status: 400, body: error('ConditionalCheckFailedException') };
    const refused = await doc.send(new PutCommand({ TableName: 'main', Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('a client shared by several adapters carries the mapping once', () => {
    const shared = client();
    documentClient(shared);
    documentClient(shared);
    new DynamoDbBooks(shared, 'main');
    expect(shared.middlewareStack.identify().filter((m) => m.startsWith('dpmUnavailableErrors'))).toHaveLength(1);
  });

  it('a KMS signature throttled past the SDK retries is DependencyUnavailable; an unknown key is not', async () => {
    const signer = new KmsPlatformSigner(new KMSClient(options()), 'alias/dpm-ledger');
    answer = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    const throttled = await signer.sign(new Uint8Array(32)).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(DependencyUnavailable);
    expect((throttled as Error).message).toMatch(/^KMS cannot do this now: ThrottlingException/);
    expect(requests).toEqual(['TrentService.Sign', 'TrentService.Sign']);

    answer = { status: 400, body: { __type: 'NotFoundException', message: 'Key not found' } };
    await expect(signer.sign(new Uint8Array(32))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('a secret read at a cold start while Secrets Manager throttles is DependencyUnavailable; a missing secret is not', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dpm/stripe-abc';
    answer = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    const throttled = await secretStringOf(new SecretsManagerClient(options()), arn).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(DependencyUnavailable);
    expect((throttled as Error).message).toMatch(/^Secrets Manager cannot do this now: ThrottlingException/);
    expect(requests).toEqual(['secretsmanager.GetSecretValue', 'secretsmanager.GetSecretValue']);
    await expect(headersFromSecret(new SecretsManagerClient(options()), arn)).rejects.toBeInstanceOf(DependencyUnavailable);

    answer = { status: 400, body: { __type: 'ResourceNotFoundException', message: 'Secrets Manager can’t find the specified secret.' } };
    await expect(secretStringOf(new SecretsManagerClient(options()), arn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    answer = { status: 200, body: { ARN: arn, Name: 'dpm/stripe', SecretString: 'sk_test_123' } };
    await expect(secretStringOf(new SecretsManagerClient(options()), arn)).resolves.toBe('sk_test_123');
  });
});

describe('the order workflow', () => {
  it('retries DependencyUnavailable in every task before its Catch can take the order to the refund', () => {
    type State = { Type: string; Retry?: { ErrorEquals: string[] }[] };
    const asl = JSON.parse(readFileSync(new URL('../../../infra/workflows/order.asl.json', import.meta.url), 'utf8')) as { States: Record<string, State> };
    const tasks = Object.entries(asl.States).filter(([, st]) => st.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(5);
    for (const [name, st] of tasks) expect(st.Retry?.some((r) => r.ErrorEquals.includes('DependencyUnavailable')), name).toBe(true);
  });
});
