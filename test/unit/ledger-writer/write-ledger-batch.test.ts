// The ledger writer's handler over one SQS batch, with fakes of the writer's ports and SQS mocked: a CloudWatch metric
// per written step, and the admin dashboard's tally: commit latencies held for a window and written as one count and
// sum, failures written with their batch, a tally that cannot be saved only logged.
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import type { TallyName } from '../../../shared/admin/operations.js';
import type { Transaction } from '../../../shared/ledger/transaction.js';
import { FakeBook, FakeCustody, FakeNetwork, FakePlatformSigner } from '../../support/fakes/ledger.js';

const h = (c: string) => c.repeat(64);
const at = '2026-11-24T10:00:00.000Z';
const minute = new Date('2026-11-24T10:07:30.000Z');
const events: LedgerEvent[] = [
  { type: 'design.registered', version: 1, eventId: 'design.registered:d1', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 },
  { type: 'product.printed', version: 1, eventId: 'printed:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'printer-7', materialLot: 'PLA-2026-11', printParamsHash: h('c'), gcodeHash: h('d') },
  // Its design is not on the ledger: this one fails.
  { type: 'product.printed', version: 1, eventId: 'printed:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', designId: 'd9', orderId: 'o2', printerId: 'printer-7', materialLot: 'PLA-2026-11', printParamsHash: h('c'), gcodeHash: h('e') },
];
const record = (e: LedgerEvent, i: number): SQSRecord => ({
  messageId: `m${i}`,
  receiptHandle: `rh-${i}`,
  body: JSON.stringify(e),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0', MessageGroupId: e.assetKey },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dpm-ledger.fifo',
  awsRegion: 'eu-west-1',
});
const batch: SQSEvent = { Records: events.map(record) };

/** A ledger that takes a while to commit, so each latency is measurably above zero. */
class SlowNetwork extends FakeNetwork {
  override async commit(tx: Transaction & { id: string }) {
    await new Promise((r) => setTimeout(r, 15));
    return super.commit(tx);
  }
}

const sqsMock = mockClient(SQSClient);
let handlerModule: typeof import('../../../functions/ledger/write-ledger-step.js');
let observability: typeof import('../../../functions/lib/observability.js');

beforeAll(async () => {
  // What the function's configuration holds in AWS; the module reads it once when it loads, and makes no request.
  Object.assign(process.env, { LEDGER_URL: 'http://127.0.0.1:1', TABLE_MAIN: 'main', TABLE_IDEMPOTENCY: 'idempotency', KEY_LEDGER_SIGNING: 'sign', KEY_DATA: 'data', AWS_REGION: 'eu-west-1' });
  handlerModule = await import('../../../functions/ledger/write-ledger-step.js');
  observability = await import('../../../functions/lib/observability.js');
});

describe('the ledger writer’s handler', () => {
  let calls: { name: TallyName; sum: number; at: Date; count: number | undefined }[];
  let writer: { platform: FakePlatformSigner; custody: FakeCustody; network: SlowNetwork; book: FakeBook };
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dpm-ledger.fifo' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    calls = [];
    writer = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new SlowNetwork(), book: new FakeBook() };
  });

  it('tallies a batch of three, one failing, with one write per measurement: count and sum of the batch', async () => {
    const metric = vi.spyOn(observability.metrics, 'addMetric');
    const tally = { record: async (name: TallyName, sum: number, at: Date, count?: number) => void calls.push({ name, sum, at, count }) };
    const handler = handlerModule.ledgerStepHandler({ writer, tally, sqs: new SQSClient({ region: 'eu-west-1' }), now: () => minute });

    const out = await handler(batch);

    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    // The CloudWatch metric stays one per written step.
    const latencies = metric.mock.calls.filter(([name]) => name === 'LedgerCommitLatency').map(([, , value]) => value);
    expect(latencies).toHaveLength(2);
    for (const l of latencies) expect(l).toBeGreaterThanOrEqual(14);
    expect(calls.map((c) => [c.name, c.count, c.at])).toEqual([
      ['LedgerCommitLatency', 2, minute],
      ['LedgerWriteFailures', 1, minute],
    ]);
    expect(calls[0]!.sum).toBeCloseTo(latencies[0]! + latencies[1]!, 6);
    expect(calls[1]!.sum).toBe(1);
    metric.mockRestore();
  });

  it('writes no tally for a measurement the batch did not make, and only logs a tally that cannot be saved', async () => {
    const tally = {
      record: async (name: TallyName, sum: number, at: Date, count?: number) => {
        calls.push({ name, sum, at, count });
        throw new Error('throttled');
      },
    };
    // The window is over by the batch's end (the clock jumps an hour after the first reading).
    let readings = 0;
    const handler = handlerModule.ledgerStepHandler({ writer, tally, sqs: new SQSClient({ region: 'eu-west-1' }), now: () => new Date(minute.getTime() + (readings++ ? 3_600_000 : 0)) });
    expect(await handler({ Records: events.slice(0, 2).map(record) })).toEqual({ batchItemFailures: [] });
    expect(calls.map((c) => [c.name, c.count])).toEqual([['LedgerCommitLatency', 2]]);
    expect(writer.network.txs.size).toBe(2);
  });

  it('holds commit latencies for the tally window and writes them in one update, sooner with a failure', async () => {
    const tally = { record: async (name: TallyName, sum: number, at: Date, count?: number) => void calls.push({ name, sum, at, count }) };
    let clock = minute.getTime();
    const handler = handlerModule.ledgerStepHandler({ writer, tally, sqs: new SQSClient({ region: 'eu-west-1' }), now: () => new Date(clock), tallyWindowMs: 10_000 });
    const one = (i: number): SQSEvent => ({ Records: [record({ ...events[0]!, eventId: `design.registered:w${i}`, assetKey: `w${i}`, designId: `w${i}` } as LedgerEvent, i)] });

    for (const [i, t] of [0, 4_000, 8_000].entries()) {
      clock = minute.getTime() + t;
      await handler(one(i));
    }
    expect(calls).toEqual([]);
    clock = minute.getTime() + 10_500;
    await handler(one(3));
    expect(calls.map((c) => [c.name, c.count, c.at.getTime()])).toEqual([['LedgerCommitLatency', 4, clock]]);
    expect(calls[0]!.sum).toBeGreaterThanOrEqual(4 * 14);

    // Held again from here; a batch with a failure writes what is held at once, with the failure.
    calls = [];
    clock += 1_000;
    await handler(one(4));
    expect(calls).toEqual([]);
    clock += 1_000;
    await handler({ Records: [record(events[2]!, 5)] });
    expect(calls.map((c) => [c.name, c.count])).toEqual([
      ['LedgerCommitLatency', 1],
      ['LedgerWriteFailures', 1],
    ]);
  });

  it('writes held latencies when the window is over even if no batch follows', async () => {
    const tally = { record: async (name: TallyName, sum: number, at: Date, count?: number) => void calls.push({ name, sum, at, count }) };
    const handler = handlerModule.ledgerStepHandler({ writer, tally, sqs: new SQSClient({ region: 'eu-west-1' }), tallyWindowMs: 300 });
    await handler({ Records: events.slice(0, 2).map(record) });
    expect(calls).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.map((c) => [c.name, c.count])).toEqual([['LedgerCommitLatency', 2]]);
  });
});
