// The local SQS through the unmodified SQSClient: FIFO order and deduplication, visibility, the dead-letter queue,
// persistence across a restart, and the Lambda-like consumer.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startQueues } from '../../../local/servers/queues.js';

const spec = { steps: { fifo: true, visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }, plain: { fifo: false, visibilityTimeoutSeconds: 30, maxReceiveCount: 2 } };

describe('local SQS', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startQueues>>;
  let sqs: SQSClient;
  let fifo: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-sqs-'));
    server = await startQueues({ port: 0, dataDir: dir, queues: spec });
    sqs = new SQSClient({ endpoint: server.url, region: localRegion, credentials: localCredentials });
    fifo = server.queueUrl('steps');
  });

  afterEach(async () => {
    sqs.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (body: string, group: string, dedup = body) => sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
  const receive = (max = 10, visibility?: number) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl: fifo, MaxNumberOfMessages: max, VisibilityTimeout: visibility, MessageSystemAttributeNames: ['All'] })).then((r) => r.Messages ?? []);

  it('resolves queue URLs by name and reports a missing queue like SQS', async () => {
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'dpm-steps.fifo' }))).QueueUrl).toBe(fifo);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${server.url}/000000000000/nope`, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('keeps order within a group, holds a group while a message is in flight, and lets other groups through', async () => {
    await send('a1', 'A');
    await send('a2', 'A');
    await send('b1', 'B');
    const first = await receive(1);
    expect(first.map((m) => m.Body)).toEqual(['a1']);
    // a2 waits behind the in-flight a1; B is free.
    expect((await receive()).map((m) => m.Body)).toEqual(['b1']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: fifo, ReceiptHandle: first[0]!.ReceiptHandle }));
    expect((await receive()).map((m) => m.Body)).toEqual(['a2']);
  });

  it('deduplicates by MessageDeduplicationId and requires FIFO parameters', async () => {
    const one = await send('x', 'G', 'dedup-1');
    const two = await send('x again', 'G', 'dedup-1');
    expect(two.MessageId).toBe(one.MessageId);
    expect((await receive()).map((m) => m.Body)).toEqual(['x']);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'x', MessageDeduplicationId: 'd' }))).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('makes a message visible again after its visibility timeout, counting receives, then dead-letters it', async () => {
    await send('poison', 'P');
    for (let i = 1; i <= 3; i++) {
      const [m] = await receive(1, 30);
      expect(m?.Attributes?.ApproximateReceiveCount).toBe(String(i));
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: fifo, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    expect(await receive()).toEqual([]);
    expect(server.depth('steps')).toEqual({ visible: 0, inFlight: 0, deadLetters: 1 });
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: server.deadLetterQueueUrl('steps') }));
    expect(dlq.Messages?.[0]?.Body).toBe('poison');
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ['All'] }));
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 3 });
  });

  it('refuses stale receipt handles', async () => {
    await send('m', 'R');
    const [m] = await receive(1);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: fifo, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    await receive(1);
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: fifo, ReceiptHandle: m!.ReceiptHandle }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('long-polls until a message arrives', async () => {
    const plain = server.queueUrl('plain');
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: plain, WaitTimeSeconds: 5 }));
    await new Promise((r) => setTimeout(r, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: 'late', MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }));
    const got = await pending;
    expect(got.Messages?.[0]).toMatchObject({ Body: 'late', MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } });
  });

  it('keeps messages and receive counts across a restart', async () => {
    await send('durable', 'D');
    await receive(1);
    await server.close();
    server = await startQueues({ port: 0, dataDir: dir, queues: spec });
    sqs.destroy();
    sqs = new SQSClient({ endpoint: server.url, region: localRegion, credentials: localCredentials });
    fifo = server.queueUrl('steps');
    const [m] = await receive(1);
    expect(m).toMatchObject({ Body: 'durable', Attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }) });
  });

  it('sends batches and reports per-entry failures', async () => {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fifo,
        Entries: [
          { Id: '1', MessageBody: 'one', MessageGroupId: 'B', MessageDeduplicationId: 'b1' },
          { Id: '2', MessageBody: 'two', MessageDeduplicationId: 'b2' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['1']);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: '2', Code: 'MissingParameter' })]);
  });

  it('handles batches of different groups side by side up to its concurrency, one group at a time and in order', async () => {
    for (const body of ['a1', 'a2', 'a3', 'b1', 'b2', 'c1', 'd1']) await send(body, body[0]!);
    const order: string[] = [];
    const busyGroups = new Set<string>();
    let inFlight = 0;
    let most = 0;
    const overlaps: string[] = [];
    const detach = server.attachConsumer(
      'steps',
      async (records: SQSRecord[]) => {
        const group = records[0]!.attributes.MessageGroupId!;
        if (busyGroups.has(group)) overlaps.push(group);
        busyGroups.add(group);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 50));
        order.push(...records.map((r) => r.body));
        inFlight--;
        busyGroups.delete(group);
      },
      { batchSize: 1, concurrency: 3 },
    );
    for (let i = 0; i < 200 && order.length < 7; i++) await new Promise((r) => setTimeout(r, 20));
    await detach();
    expect(overlaps).toEqual([]);
    expect(most).toBe(3);
    expect(order.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(order.filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(order).toHaveLength(7);
    expect(server.depth('steps')).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
  });

  it('consumes like a Lambda event source: deletes successes, retries failures in group order', async () => {
    await send('s1', 'S');
    await send('s2', 'S');
    await send('t1', 'T');
    const batches: string[][] = [];
    let failS1 = true;
    const detach = server.attachConsumer(
      'steps',
      async (records: SQSRecord[]) => {
        batches.push(records.map((r) => r.body));
        for (const r of records) expect(r.eventSourceARN).toBe('arn:aws:sqs:eu-west-1:000000000000:dpm-steps.fifo');
        const s1 = records.find((r) => r.body === 's1');
        if (!s1 || !failS1) return;
        failS1 = false;
        // Like the writer: the failed record gets its retry time through the API (here: at once) and is reported.
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: fifo, ReceiptHandle: s1.receiptHandle, VisibilityTimeout: 0 }));
        return { batchItemFailures: [{ itemIdentifier: s1.messageId }] };
      },
      { batchSize: 10 },
    );
    for (let i = 0; i < 100 && (server.depth('steps').visible || server.depth('steps').inFlight || batches.length < 2); i++) await new Promise((r) => setTimeout(r, 20));
    await detach();
    const seen = batches.flat();
    // s1 failed in the first batch; s2, behind it in the same group, was not deleted and came back after it.
    expect(batches[0]).toEqual(['s1', 's2', 't1']);
    expect(batches[1]).toEqual(['s1', 's2']);
    expect(seen.filter((b) => b === 't1')).toHaveLength(1);
    expect(server.depth('steps')).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
  });
});
