// Ledger-bound domain events onto the EventBridge bus; the ledger rule routes them to the ledger writer's FIFO queue,
// which deduplicates on the event id. Each event is validated against its contract before it leaves.
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LedgerEvent, ledgerDetailType, ledgerEventSource } from '../../events/ledger-events.js';
import { DependencyUnavailable } from '../errors.js';
import type { LedgerEvents } from '../orders/ports.js';
import { reportUnavailable } from './aws-unavailable.js';

/** PutEvents takes at most 10 entries. */
const entriesPerCall = 10;

export class EventBridgeLedgerEvents implements LedgerEvents {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {
    reportUnavailable(events, 'EventBridge');
  }

  async publish(...events: LedgerEvent[]): Promise<void> {
    const details = events.map((e) => LedgerEvent.parse(e));
    for (let i = 0; i < details.length; i += entriesPerCall) {
      const batch = details.slice(i, i + entriesPerCall);
      const out = await this.events.send(
        new PutEventsCommand({ Entries: batch.map((d) => ({ EventBusName: this.busName, Source: ledgerEventSource, DetailType: ledgerDetailType(d.type), Detail: JSON.stringify(d) })) }),
      );
      if (out.FailedEntryCount) {
        // Results come in the order of the entries. The caller retries them all: the ledger queue drops a duplicate.
        const refused = batch.flatMap((d, k) => {
          const r = out.Entries?.[k];
          return r?.ErrorCode ? [`${d.eventId} (${r.ErrorCode}: ${r.ErrorMessage})`] : [];
        });
        throw new DependencyUnavailable(`EventBridge refused ${out.FailedEntryCount} of ${batch.length} events: ${refused.join(', ') || 'no entry says which'}`);
      }
    }
  }
}
