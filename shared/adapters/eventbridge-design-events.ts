// Design events onto the EventBridge bus, where the ledger rule routes them to the ledger writer. The event id is
// derived from the design and its terms version, so a re-published event is recognisably the same event.
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DesignRegisteredV1, ledgerDetailType, ledgerEventSource } from '../../events/ledger-events.js';
import type { DesignEvents, DesignRegistered } from '../designs/ports.js';
import { reportUnavailable } from './aws-unavailable.js';

export class EventBridgeDesignEvents implements DesignEvents {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {
    reportUnavailable(events, 'EventBridge');
  }

  async designRegistered(e: DesignRegistered): Promise<void> {
    const detail = DesignRegisteredV1.parse({
      type: 'design.registered',
      eventId: `design.registered:${e.designId}`,
      version: 1,
      occurredAt: e.occurredAt,
      assetKey: e.designId,
      designId: e.designId,
      designerId: e.designerId,
      fingerprint: e.fingerprint,
      licenseTermsHash: e.licenseTermsHash,
      termsVersion: e.termsVersion,
    });
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: ledgerEventSource, DetailType: ledgerDetailType(detail.type), Detail: JSON.stringify(detail) }],
      }),
    );
    if (out.FailedEntryCount) {
      const failed = out.Entries?.find((x) => x.ErrorCode);
      throw new Error(`EventBridge refused the event: ${failed?.ErrorCode} ${failed?.ErrorMessage}`);
    }
  }
}
