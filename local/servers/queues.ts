// Local SQS speaking the JSON protocol the current SDK uses (`X-Amz-Target: AmazonSQS.<Op>`), with the semantics the
// ledger writer relies on: FIFO order per message group, deduplication for 5 minutes, visibility timeouts, receive
// counts and a dead-letter queue after `maxReceiveCount`. A journal in the data directory, synced before a send is
// acknowledged, keeps messages across restarts and crashes. `attachConsumer` plays Lambda's event source mapping.
import type { SQSRecord } from 'aws-lambda';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { QueueSpec } from '../../infra/platform.js';
import { localNames } from '../names.js';
import { closeServer, listen, type LocalServer } from '../server.js';
import { AwsJsonError, awsJsonHandler } from './aws-json.js';
import { readJournal, rewriteJournal } from './journal.js';
import { localAccount, localRegion } from './local-aws.js';

export interface QueuesOptions {
  port?: number;
  host?: string;
  dataDir: string;
  queues: Record<string, QueueSpec>;
}

type Attr = { DataType: string; StringValue?: string; BinaryValue?: string };

interface Message {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, Attr>;
  md5OfAttributes?: string;
  groupId?: string;
  dedupId?: string;
  sentAt: number;
  seq: number;
  receiveCount: number;
  firstReceiveAt?: number;
  visibleAt: number;
  receipt?: string;
}

interface Queue {
  name: string;
  fifo: boolean;
  visibilityTimeout: number;
  maxReceiveCount?: number;
  deadLetter?: Queue;
  messages: Map<string, Message>;
  dedup: Map<string, { id: string; until: number }>;
  createdAt: number;
}

class SqsError extends AwsJsonError {
  constructor(
    readonly code: string,
    queryCode: string,
    message: string,
    status = 400,
  ) {
    super(code, message, status, `${queryCode};Sender`);
  }
}

const invalid = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);
const missing = (name: string) => new SqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${name}.`);
const dedupWindowMs = 5 * 60 * 1000;
const maxBody = 256 * 1024;

/** MD5 of message attributes exactly as SQS computes it, which the SDK checks on every send and receive. */
function md5OfAttributes(attrs: Record<string, Attr>): string | undefined {
  const names = Object.keys(attrs).sort();
  if (!names.length) return undefined;
  const parts: Buffer[] = [];
  const withLength = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attrs[name]!;
    withLength(Buffer.from(name));
    withLength(Buffer.from(a.DataType));
    const binary = a.DataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    withLength(binary ? Buffer.from(a.BinaryValue ?? '', 'base64') : Buffer.from(a.StringValue ?? ''));
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

type Journal = { op: 'send'; q: string; m: Message } | { op: 'delete'; q: string; id: string } | { op: 'receive'; q: string; id: string; n: number; at: number } | { op: 'move'; q: string; to: string; id: string };

export async function startQueues(opts: QueuesOptions) {
  const host = opts.host ?? '127.0.0.1';
  await mkdir(opts.dataDir, { recursive: true });
  const queues = new Map<string, Queue>();
  const byKey = new Map<string, Queue>();
  for (const [key, spec] of Object.entries(opts.queues)) {
    const dlq: Queue = { name: localNames.deadLetterQueue(key, spec.fifo), fifo: spec.fifo, visibilityTimeout: spec.visibilityTimeoutSeconds, messages: new Map(), dedup: new Map(), createdAt: Date.now() };
    const q: Queue = { name: localNames.queue(key, spec.fifo), fifo: spec.fifo, visibilityTimeout: spec.visibilityTimeoutSeconds, maxReceiveCount: spec.maxReceiveCount, deadLetter: dlq, messages: new Map(), dedup: new Map(), createdAt: Date.now() };
    queues.set(q.name, q);
    queues.set(dlq.name, dlq);
    byKey.set(key, q);
  }

  // Replay the journal, then rewrite it with only what is still queued, so it never grows without bound.
  const journalPath = join(opts.dataDir, 'queues.jsonl');
  let seq = 0;
  for (const entry of await readJournal<Journal>(journalPath)) {
    const q = queues.get(entry.q);
    if (!q) continue;
    if (entry.op === 'send') {
      q.messages.set(entry.m.id, { ...entry.m, visibleAt: 0, receipt: undefined });
      seq = Math.max(seq, entry.m.seq);
      if (entry.m.dedupId) q.dedup.set(entry.m.dedupId, { id: entry.m.id, until: entry.m.sentAt + dedupWindowMs });
    } else if (entry.op === 'delete') q.messages.delete(entry.id);
    else if (entry.op === 'receive') {
      const m = q.messages.get(entry.id);
      if (m) {
        m.receiveCount = entry.n;
        m.firstReceiveAt ??= entry.at;
      }
    } else if (entry.op === 'move') {
      const m = q.messages.get(entry.id);
      const to = queues.get(entry.to);
      if (m && to) {
        q.messages.delete(entry.id);
        to.messages.set(m.id, m);
      }
    }
  }
  const journal = await rewriteJournal<Journal>(
    journalPath,
    [...queues.values()].flatMap((q) => [...q.messages.values()].map((m): Journal => ({ op: 'send', q: q.name, m: { ...m, receipt: undefined } }))),
  );
  const record = (entry: Journal, durable: boolean): Promise<void> => journal.append(entry, durable);

  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
    waiters.clear();
  };

  const queueOf = (url: unknown): Queue => {
    if (typeof url !== 'string' || !url) throw missing('QueueUrl');
    const q = queues.get(url.split('/').pop() ?? '');
    if (!q) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return q;
  };
  let baseUrl = '';
  const urlOf = (q: Queue) => `${baseUrl}/${localAccount}/${q.name}`;
  const arnOf = (q: Queue) => `arn:aws:sqs:${localRegion}:${localAccount}:${q.name}`;

  async function send(q: Queue, e: Record<string, unknown>): Promise<{ MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string; SequenceNumber?: string }> {
    const body = e.MessageBody;
    if (typeof body !== 'string' || body.length === 0) throw missing('MessageBody');
    if (Buffer.byteLength(body) > maxBody) throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${maxBody} bytes.`);
    const attributes = (e.MessageAttributes ?? {}) as Record<string, Attr>;
    for (const [n, a] of Object.entries(attributes)) if (!a?.DataType) throw invalid(`The message attribute '${n}' must contain a non-empty attribute type.`);
    const md5 = createHash('md5').update(body).digest('hex');
    let groupId: string | undefined;
    let dedupId: string | undefined;
    if (q.fifo) {
      if (typeof e.MessageGroupId !== 'string' || !e.MessageGroupId) throw missing('MessageGroupId');
      if (e.DelaySeconds) throw invalid('Value for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
      groupId = e.MessageGroupId;
      // Content-based deduplication is off for our queues, as in the CDK; a FIFO send must name its deduplication id.
      if (typeof e.MessageDeduplicationId !== 'string' || !e.MessageDeduplicationId) {
        throw invalid('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      if (e.MessageDeduplicationId.length > 128) throw invalid('MessageDeduplicationId can be at most 128 characters');
      dedupId = e.MessageDeduplicationId;
      const seen = q.dedup.get(dedupId);
      if (seen && seen.until > Date.now()) {
        return { MessageId: seen.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: md5OfAttributes(attributes), SequenceNumber: String(q.messages.get(seen.id)?.seq ?? 0).padStart(20, '0') };
      }
    } else if (e.MessageGroupId !== undefined || e.MessageDeduplicationId !== undefined) {
      throw invalid('MessageGroupId and MessageDeduplicationId are only for FIFO queues');
    }
    const delay = typeof e.DelaySeconds === 'number' ? e.DelaySeconds : 0;
    const now = Date.now();
    const m: Message = { id: randomUUID(), body, md5, attributes, md5OfAttributes: md5OfAttributes(attributes), groupId, dedupId, sentAt: now, seq: ++seq, receiveCount: 0, visibleAt: now + delay * 1000 };
    await record({ op: 'send', q: q.name, m }, true);
    q.messages.set(m.id, m);
    if (dedupId) q.dedup.set(dedupId, { id: m.id, until: now + dedupWindowMs });
    wake();
    return { MessageId: m.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: m.md5OfAttributes, SequenceNumber: q.fifo ? String(m.seq).padStart(20, '0') : undefined };
  }

  function takeVisible(q: Queue, max: number, visibilitySeconds: number): Message[] {
    const now = Date.now();
    const blocked = new Set<string>();
    if (q.fifo) for (const m of q.messages.values()) if (m.groupId && m.receipt && m.visibleAt > now) blocked.add(m.groupId);
    const out: Message[] = [];
    const skipped = new Set<string>();
    for (const m of [...q.messages.values()]) {
      if (out.length >= max) break;
      if (m.groupId && (blocked.has(m.groupId) || skipped.has(m.groupId))) continue;
      if (m.visibleAt > now) {
        // In a FIFO group, a message that is not yet visible holds back everything behind it.
        if (m.groupId) skipped.add(m.groupId);
        continue;
      }
      if (q.maxReceiveCount && q.deadLetter && m.receiveCount >= q.maxReceiveCount) {
        q.messages.delete(m.id);
        q.deadLetter.messages.set(m.id, { ...m, receipt: undefined, visibleAt: 0 });
        void record({ op: 'move', q: q.name, to: q.deadLetter.name, id: m.id }, false);
        if (m.groupId) skipped.add(m.groupId);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.receipt = Buffer.from(`${q.name}|${m.id}|${randomUUID()}`).toString('base64url');
      void record({ op: 'receive', q: q.name, id: m.id, n: m.receiveCount, at: m.firstReceiveAt }, false);
      out.push(m);
    }
    return out;
  }

  async function receive(q: Queue, max: number, visibilitySeconds: number, waitSeconds: number): Promise<Message[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const got = takeVisible(q, max, visibilitySeconds);
      if (got.length || Date.now() >= deadline || closed) return got;
      // Wake on a new message, or poll for visibility timeouts running out.
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(200, Math.max(1, deadline - Date.now())));
        waiters.add(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  const byReceipt = (q: Queue, receipt: unknown): Message => {
    if (typeof receipt !== 'string' || !receipt) throw missing('ReceiptHandle');
    const id = Buffer.from(receipt, 'base64url').toString().split('|')[1];
    const m = id ? q.messages.get(id) : undefined;
    if (!m || m.receipt !== receipt) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`);
    return m;
  };

  async function remove(q: Queue, receipt: unknown): Promise<void> {
    const m = byReceipt(q, receipt);
    q.messages.delete(m.id);
    await record({ op: 'delete', q: q.name, id: m.id }, false);
    wake();
  }

  function changeVisibility(q: Queue, receipt: unknown, seconds: unknown): void {
    const m = byReceipt(q, receipt);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > 43200) throw invalid('VisibilityTimeout must be an integer from 0 to 43200');
    m.visibleAt = Date.now() + seconds * 1000;
    if (seconds === 0) wake();
  }

  const systemAttributes = (q: Queue, m: Message): Record<string, string> => ({
    SenderId: localAccount,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
    ...(q.fifo ? { MessageGroupId: m.groupId!, MessageDeduplicationId: m.dedupId!, SequenceNumber: String(m.seq).padStart(20, '0') } : {}),
  });

  const ops: Record<string, (b: Record<string, unknown>) => Promise<unknown> | unknown> = {
    GetQueueUrl: (b) => {
      const q = queues.get(String(b.QueueName ?? ''));
      if (!q) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: urlOf(q) };
    },
    ListQueues: (b) => ({ QueueUrls: [...queues.values()].filter((q) => q.name.startsWith(String(b.QueueNamePrefix ?? ''))).map(urlOf) }),
    SendMessage: (b) => send(queueOf(b.QueueUrl), b),
    SendMessageBatch: async (b) => {
      const q = queueOf(b.QueueUrl);
      const entries = b.Entries as Record<string, unknown>[] | undefined;
      if (!Array.isArray(entries) || entries.length === 0) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of entries) {
        try {
          Successful.push({ Id: e.Id, ...(await send(q, e)) });
        } catch (err) {
          const x = err as SqsError;
          Failed.push({ Id: e.Id, SenderFault: true, Code: x.code ?? 'InternalError', Message: x.message });
        }
      }
      return { Successful, Failed };
    },
    ReceiveMessage: async (b) => {
      const q = queueOf(b.QueueUrl);
      const max = b.MaxNumberOfMessages === undefined ? 1 : Number(b.MaxNumberOfMessages);
      if (!Number.isInteger(max) || max < 1 || max > 10) throw invalid('Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.');
      const wait = b.WaitTimeSeconds === undefined ? 0 : Number(b.WaitTimeSeconds);
      if (!Number.isInteger(wait) || wait < 0 || wait > 20) throw invalid('Value for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.');
      const visibility = b.VisibilityTimeout === undefined ? q.visibilityTimeout : Number(b.VisibilityTimeout);
      const wanted = new Set([...((b.AttributeNames as string[]) ?? []), ...((b.MessageSystemAttributeNames as string[]) ?? [])]);
      const msgs = await receive(q, max, visibility, wait);
      return {
        Messages: msgs.map((m) => {
          const all = systemAttributes(q, m);
          const attrs = wanted.has('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => wanted.has(k)));
          return {
            MessageId: m.id,
            ReceiptHandle: m.receipt,
            MD5OfBody: m.md5,
            Body: m.body,
            Attributes: Object.keys(attrs).length ? attrs : undefined,
            MessageAttributes: Object.keys(m.attributes).length ? m.attributes : undefined,
            MD5OfMessageAttributes: m.md5OfAttributes,
          };
        }),
      };
    },
    DeleteMessage: async (b) => {
      await remove(queueOf(b.QueueUrl), b.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: async (b) => {
      const q = queueOf(b.QueueUrl);
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of (b.Entries as { Id: string; ReceiptHandle: string }[]) ?? []) {
        try {
          await remove(q, e.ReceiptHandle);
          Successful.push({ Id: e.Id });
        } catch (err) {
          Failed.push({ Id: e.Id, SenderFault: true, Code: (err as SqsError).code, Message: (err as Error).message });
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (b) => {
      changeVisibility(queueOf(b.QueueUrl), b.ReceiptHandle, b.VisibilityTimeout);
      return {};
    },
    GetQueueAttributes: (b) => {
      const q = queueOf(b.QueueUrl);
      const now = Date.now();
      const visible = [...q.messages.values()].filter((m) => m.visibleAt <= now);
      const all: Record<string, string> = {
        QueueArn: arnOf(q),
        ApproximateNumberOfMessages: String(visible.length),
        ApproximateNumberOfMessagesNotVisible: String(q.messages.size - visible.length),
        ApproximateNumberOfMessagesDelayed: '0',
        VisibilityTimeout: String(q.visibilityTimeout),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        FifoQueue: String(q.fifo),
        ContentBasedDeduplication: 'false',
        ...(q.deadLetter ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(q.deadLetter), maxReceiveCount: q.maxReceiveCount }) } : {}),
      };
      const names = (b.AttributeNames as string[]) ?? [];
      return { Attributes: names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k))) };
    },
    PurgeQueue: async (b) => {
      const q = queueOf(b.QueueUrl);
      for (const id of [...q.messages.keys()]) {
        q.messages.delete(id);
        await record({ op: 'delete', q: q.name, id }, false);
      }
      return {};
    },
  };

  let closed = false;
  const server = createServer(
    awsJsonHandler({
      targetPrefix: 'AmazonSQS.',
      contentType: 'application/x-amz-json-1.0',
      maxBodyBytes: maxBody * 11,
      ops,
      wireType: (t) => `com.amazonaws.sqs#${t}`,
      errors: {
        unknownOperation: (op) => new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `${op || '(no X-Amz-Target)'} is not supported by the local SQS`),
        notJson: () => invalid('The request body is not JSON'),
        tooLarge: () => invalid('The request is too large'),
        internalType: 'InternalError',
      },
    }),
  );

  const port = await listen(server, opts.port ?? 0, host, 'sqs');
  baseUrl = `http://${host}:${port}`;
  const consumers = new Set<{ stop(): Promise<void> }>();

  const keyQueue = (key: string): Queue => {
    const q = byKey.get(key);
    if (!q) throw new Error(`No queue ${key} in the description`);
    return q;
  };

  return {
    name: 'sqs',
    url: baseUrl,
    port,
    async health() {
      return { ok: !closed, detail: [...byKey.entries()].map(([k, q]) => `${k}: ${q.messages.size} queued, ${q.deadLetter?.messages.size ?? 0} dead`).join('; ') };
    },
    async close() {
      closed = true;
      wake();
      await Promise.all([...consumers].map((c) => c.stop()));
      await closeServer(server);
      await journal.close();
    },
    queueUrl: (key: string) => urlOf(keyQueue(key)),
    deadLetterQueueUrl: (key: string) => urlOf(keyQueue(key).deadLetter!),
    depth(key: string) {
      const q = keyQueue(key);
      const now = Date.now();
      const visible = [...q.messages.values()].filter((m) => m.visibleAt <= now).length;
      return { visible, inFlight: q.messages.size - visible, deadLetters: q.deadLetter?.messages.size ?? 0 };
    },
    /**
     * Polls a queue like Lambda's SQS event source mapping: batches of Lambda-shaped records, deletes what succeeded,
     * honours partial batch responses, and leaves failed records (and, in FIFO, the rest of their group) to retry.
     */
    attachConsumer(
      key: string,
      handler: (records: SQSRecord[]) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | void>,
      o: { batchSize: number; concurrency?: number; onError?: (err: unknown) => void },
    ): () => Promise<void> {
      const q = keyQueue(key);
      let stopped = false;
      // Up to `concurrency` batches in flight at once, as Lambda's event source mapping runs them (its MaximumConcurrency).
      // A FIFO group with a message in flight is held back by takeVisible, so one group is still handled in order.
      const poll = async () => {
        while (!stopped && !closed) {
          const msgs = await receive(q, Math.min(10, o.batchSize), q.visibilityTimeout, 1);
          if (!msgs.length || stopped) continue;
          const records: SQSRecord[] = msgs.map((m) => ({
            messageId: m.id,
            receiptHandle: m.receipt!,
            body: m.body,
            attributes: systemAttributes(q, m) as unknown as SQSRecord['attributes'],
            messageAttributes: Object.fromEntries(Object.entries(m.attributes).map(([n, a]) => [n, { dataType: a.DataType, stringValue: a.StringValue, binaryValue: a.BinaryValue, stringListValues: [], binaryListValues: [] }])),
            md5OfBody: m.md5,
            eventSource: 'aws:sqs',
            eventSourceARN: arnOf(q),
            awsRegion: localRegion,
          }));
          let failed: Set<string>;
          try {
            const out = await handler(records);
            failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          } catch (err) {
            o.onError?.(err);
            failed = new Set(records.map((r) => r.messageId));
          }
          // A failed FIFO record holds back the rest of its group in the batch; they return together with it.
          const failedGroups = new Map<string, number>();
          for (const m of msgs) {
            if (failed.has(m.id) || (m.groupId && failedGroups.has(m.groupId))) {
              const current = q.messages.get(m.id);
              if (m.groupId && current) {
                if (failedGroups.has(m.groupId)) current.visibleAt = failedGroups.get(m.groupId)!;
                else failedGroups.set(m.groupId, current.visibleAt);
              }
              continue;
            }
            if (m.receipt && q.messages.get(m.id)?.receipt === m.receipt) await remove(q, m.receipt).catch(() => undefined);
          }
        }
      };
      const loops = Array.from({ length: Math.max(1, o.concurrency ?? 1) }, () => poll());
      const consumer = {
        async stop() {
          stopped = true;
          wake();
          await Promise.all(loops);
        },
      };
      consumers.add(consumer);
      return async () => {
        consumers.delete(consumer);
        await consumer.stop();
      };
    },
  } satisfies LocalServer & Record<string, unknown>;
}
