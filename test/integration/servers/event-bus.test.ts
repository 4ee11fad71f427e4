// The local event bus through the unmodified EventBridgeClient: validation, rule matching, retries, the dead-letter
// journal, and deliveries owed across a restart.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEventBus, type EventBridgeEvent } from '../../../local/servers/event-bus.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';

describe('local event bus', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-events-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const client = (url: string) => new EventBridgeClient({ endpoint: url, region: localRegion, credentials: localCredentials });
  const entry = (detailType: string, detail: object) => ({ EventBusName: 'dpm', Source: 'dpm', DetailType: detailType, Detail: JSON.stringify(detail) });

  it('delivers matching events to their rules in the EventBridge envelope', async () => {
    const got: Record<string, EventBridgeEvent[]> = { ledger: [], all: [] };
    const bus = await startEventBus({
      port: 0,
      dataDir: dir,
      busName: 'dpm',
      rules: {
        ledger: { pattern: { source: ['dpm'], 'detail-type': [{ prefix: 'ledger.' }] }, target: async (e) => void got.ledger!.push(e) },
        all: { pattern: { source: ['dpm'] }, target: async (e) => void got.all!.push(e) },
      },
    });
    const eb = client(bus.url);
    const out = await eb.send(new PutEventsCommand({ Entries: [entry('ledger.design.registered', { designId: 'd1' }), entry('order.placed', { orderId: 'o1' })] }));
    expect(out.FailedEntryCount).toBe(0);
    await bus.idle();
    expect(got.ledger!.map((e) => e['detail-type'])).toEqual(['ledger.design.registered']);
    expect(got.all).toHaveLength(2);
    expect(got.ledger![0]).toMatchObject({ version: '0', id: out.Entries![0]!.EventId, source: 'dpm', account: '000000000000', region: 'eu-west-1', detail: { designId: 'd1' } });
    eb.destroy();
    await bus.close();
  });

  it('answers per entry for invalid entries and a wrong bus', async () => {
    const bus = await startEventBus({ port: 0, dataDir: dir, busName: 'dpm', rules: {} });
    const eb = client(bus.url);
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [entry('ok', { a: 1 }), { EventBusName: 'dpm', Source: 'dpm', DetailType: 'x', Detail: '[1]' }, { ...entry('x', {}), EventBusName: 'other' }, { EventBusName: 'dpm', DetailType: 'x', Detail: '{}' }],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries![0]!.EventId).toBeDefined();
    expect(out.Entries!.slice(1).map((e) => e.ErrorMessage)).toEqual(['Detail is malformed.', 'Event bus other does not exist.', 'Parameter Source is not valid. Reason: Source is a required argument.']);
    await expect(eb.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    eb.destroy();
    await bus.close();
  });

  it('retries a failing target with backoff, then dead-letters the event', async () => {
    let calls = 0;
    const bus = await startEventBus({
      port: 0,
      dataDir: dir,
      busName: 'dpm',
      retry: { attempts: 3, baseDelayMs: 5 },
      rules: {
        flaky: { pattern: { source: ['dpm'] }, target: async (e) => void (calls++ < 2 || (e.detail as { poison?: boolean }).poison ? assertFail() : undefined) },
      },
    });
    function assertFail(): never {
      throw new Error('target down');
    }
    const eb = client(bus.url);
    await eb.send(new PutEventsCommand({ Entries: [entry('a', { n: 1 })] }));
    await bus.idle();
    expect(calls).toBe(3);
    expect(bus.stats()).toMatchObject({ delivered: 1, failed: 0 });
    await eb.send(new PutEventsCommand({ Entries: [entry('b', { poison: true })] }));
    await bus.idle();
    expect(bus.stats()).toMatchObject({ delivered: 1, failed: 1 });
    const dead = (await readFile(join(dir, 'dead-letters.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(dead).toEqual([expect.objectContaining({ rule: 'flaky', error: 'target down', attempts: 3, event: expect.objectContaining({ detail: { poison: true } }) })]);
    eb.destroy();
    await bus.close();
  });

  it('delivers after a restart what it owed when it stopped', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const first = await startEventBus({
      port: 0,
      dataDir: dir,
      busName: 'dpm',
      retry: { attempts: 100, baseDelayMs: 50 },
      rules: { slow: { pattern: { source: ['dpm'] }, target: () => blocked.then(() => Promise.reject(new Error('still down'))) } },
    });
    const eb = client(first.url);
    await eb.send(new PutEventsCommand({ Entries: [entry('owed', { n: 7 })] }));
    eb.destroy();
    release();
    await first.close();
    const got: EventBridgeEvent[] = [];
    const second = await startEventBus({ port: 0, dataDir: dir, busName: 'dpm', rules: { slow: { pattern: { source: ['dpm'] }, target: async (e) => void got.push(e) } } });
    await second.idle();
    expect(got.map((e) => e.detail)).toEqual([{ n: 7 }]);
    await second.close();
    // Delivered now: a third start owes nothing.
    const third = await startEventBus({ port: 0, dataDir: dir, busName: 'dpm', rules: { slow: { pattern: { source: ['dpm'] }, target: async () => assertNever() } } });
    function assertNever(): never {
      throw new Error('delivered twice');
    }
    await third.idle();
    expect(third.stats().failed).toBe(0);
    await third.close();
  });

  it('refuses an invalid rule pattern at start', async () => {
    await expect(startEventBus({ port: 0, dataDir: dir, busName: 'dpm', rules: { bad: { pattern: { source: 'dpm' }, target: async () => undefined } } })).rejects.toThrow('Event rule bad: source must be an array');
  });
});
