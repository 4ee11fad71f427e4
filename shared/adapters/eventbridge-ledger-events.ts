// Ledger-bound domain events onto the EventBridge bus; the ledger rule routes them to the ledger writer's FIFO queue,
// which deduplicates on the event id. Each event is validated against its contract before it leaves.
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LedgerEvent, ledgerDetailType, ledgerEventSource } from '../../events/ledger-events.js';
import { DependencyUnavailable } from '../errors.js';
import type { LedgerEvents } from '../orders/ports.js';

export class EventBridgeLedgerEvents implements LedgerEvents {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: LedgerEvent): Promise<void> {
    const detail = LedgerEvent.parse(event);
    const out = await this.events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: this.busName, Source: ledgerEventSource, DetailType: ledgerDetailType(detail.type), Detail: JSON.stringify(detail) }] }),
    );
    if (out.FailedEntryCount) {
      const failed = out.Entries?.find((x) => x.ErrorCode);
      throw new DependencyUnavailable(`EventBridge refused event ${detail.eventId}: ${failed?.ErrorCode} ${failed?.ErrorMessage}`);
    }
  }
}
