// Ledger events onto EventBridge as AWS expects them (mocked client; the local bus is tested in its own suite):
// several events in one PutEvents, and a partly refused request fails naming the refused events, so the step retries.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { EventBridgeLedgerEvents } from '../../../shared/adapters/eventbridge-ledger-events.js';
import { DependencyUnavailable } from '../../../shared/errors.js';

const hash = 'a'.repeat(64);
const at = '2026-12-02T10:00:00.000Z';
const shipped = (n: number): LedgerEvent => ({ type: 'product.shipped', version: 1, eventId: `product.shipped:prd_${n}`, occurredAt: at, assetKey: `prd_${n}`, productId: `prd_${n}`, carrierId: 'dhl', trackingHash: hash });
const delivered: LedgerEvent = { type: 'product.delivered', version: 1, eventId: 'product.delivered:prd_1', occurredAt: at, assetKey: 'prd_1', productId: 'prd_1', customerId: 'bob', confirmedBy: 'carrier' };

describe('EventBridgeLedgerEvents', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const events = new EventBridgeLedgerEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'dpm');
  beforeEach(() => eventBridge.reset());

  it('publishes several events in one PutEvents, each validated, in the order given', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }, { EventId: 'e2' }] });

    await events.publish(shipped(2), delivered);

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.Entries!.map((e) => ({ ...e, Detail: JSON.parse(e.Detail!) as unknown }))).toEqual([
      { EventBusName: 'dpm', Source: 'dpm', DetailType: 'ledger.product.shipped', Detail: shipped(2) },
      { EventBusName: 'dpm', Source: 'dpm', DetailType: 'ledger.product.delivered', Detail: delivered },
    ]);
  });

  it('splits more than 10 events into requests of at most 10', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await events.publish(...Array.from({ length: 12 }, (_, i) => shipped(i)));
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
  });

  it('fails naming the refused events when EventBridge takes only some', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    const failure = events.publish(shipped(3), delivered);

    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(failure).rejects.toThrow('EventBridge refused 1 of 2 events: product.delivered:prd_1 (InternalFailure: try again)');
  });

  it('sends nothing for an event that breaks its contract', async () => {
    await expect(events.publish(shipped(4), { ...delivered, productId: 'not an id' })).rejects.toThrow();
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
