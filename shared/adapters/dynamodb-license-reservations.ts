// Edition counters on the design item and one reservation item per order, written together in one transaction: the
// counter's condition (`sold < editionSize`) and the reservation's (`attribute_not_exists`) make overselling and
// double reservation impossible, whatever the concurrency.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Design } from '../designs/design.js';
import { Conflict } from '../errors.js';
import type { LicenseReservations, Reservation } from '../orders/licenses.js';
import { transactionConflict } from './aws-unavailable.js';
import { documentClient, nativeItem } from './dynamodb-document.js';

const designKey = (id: string) => ({ pk: `DESIGN#${id}`, sk: 'DESIGN' });
const reservationKey = (designId: string, orderId: string) => ({ pk: `DESIGN#${designId}`, sk: `LICENSE#${orderId}` });

export class DynamoDbLicenseReservations implements LicenseReservations {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async reserve({ designId, orderId }: { designId: string; orderId: string }): Promise<Reservation> {
    // Each lost race means another order got a print; with n contenders at most n rounds are lost.
    for (let attempt = 0; attempt < 25; attempt++) {
      // The counters and the few terms they are checked against, not the whole design item, which is large. A
      // reservation this order already holds is not read first: the write below is refused with it (a retried step).
      const item = await this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: designKey(designId),
          ConsistentRead: true,
          ProjectionExpression: '#d.#s, #d.#t.#e, #d.#t.#v, sold, issued',
          ExpressionAttributeNames: { '#d': 'design', '#s': 'status', '#t': 'terms', '#e': 'editionSize', '#v': 'version' },
        }),
      );
      const design = item.Item?.design as { status?: Design['status']; terms?: Pick<Design['terms'], 'editionSize' | 'version'> } | undefined;
      if (!design?.terms || design.status !== 'listed') return (await this.held(designId, orderId)) ?? { outcome: 'not-listed', designId };
      // `sold` counts live reservations against the edition; `issued` numbers prints and never goes back, so a
      // released reservation frees capacity without ever reusing a print number.
      const sold = Number(item.Item?.sold ?? 0);
      const issued = Number(item.Item?.issued ?? 0);
      if (sold >= design.terms.editionSize) return (await this.held(designId, orderId)) ?? { outcome: 'sold-out', designId, editionSize: design.terms.editionSize };
      const reservation: Reservation = { outcome: 'reserved', designId, orderId, printNumber: issued + 1, termsVersion: design.terms.version };
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.table,
                  Key: designKey(designId),
                  UpdateExpression: 'SET sold = :nextSold, issued = :nextIssued',
                  ConditionExpression: '((attribute_not_exists(sold) AND :sold = :zero) OR sold = :sold) AND ((attribute_not_exists(issued) AND :issued = :zero) OR issued = :issued)',
                  ExpressionAttributeValues: { ':nextSold': sold + 1, ':sold': sold, ':nextIssued': issued + 1, ':issued': issued, ':zero': 0 },
                },
              },
              {
                Put: {
                  TableName: this.table,
                  Item: { ...reservationKey(designId, orderId), reservation },
                  ConditionExpression: 'attribute_not_exists(pk) OR released = :true',
                  ExpressionAttributeValues: { ':true': true },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
        );
        return reservation;
      } catch (err) {
        // Another order's reservation was in flight on the design item: a race not yet decided, so look again, after a
        // pause that grows and differs between contenders so that they do not meet again at once.
        if (transactionConflict(err)) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
          continue;
        }
        if (!(err instanceof TransactionCanceledException)) throw err;
        // This order holds a reservation already: that is the answer, and the counters were left alone.
        const own = err.CancellationReasons?.[1];
        if (own?.Code === 'ConditionalCheckFailed') {
          const stored = own.Item ? nativeItem(own.Item) : undefined;
          const held = stored ? (stored.released ? undefined : (stored.reservation as Reservation)) : await this.held(designId, orderId);
          if (held) return held;
        }
        // Another order took the same print number first: look again.
      }
    }
    throw new Conflict(`Design ${designId} is in high demand; retry the reservation`);
  }

  /** The reservation this order holds, if it holds one (not given back). */
  private async held(designId: string, orderId: string): Promise<Reservation | undefined> {
    const existing = await this.doc.send(new GetCommand({ TableName: this.table, Key: reservationKey(designId, orderId), ConsistentRead: true }));
    return existing.Item && !existing.Item.released ? (existing.Item.reservation as Reservation) : undefined;
  }

  async release({ designId, orderId }: { designId: string; orderId: string }): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.table, Key: reservationKey(designId, orderId), UpdateExpression: 'SET released = :true', ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(released)', ExpressionAttributeValues: { ':true': true } } },
            { Update: { TableName: this.table, Key: designKey(designId), UpdateExpression: 'SET sold = sold - :one', ConditionExpression: 'sold > :zero', ExpressionAttributeValues: { ':one': 1, ':zero': 0 } } },
          ],
        }),
      );
    } catch (err) {
      // Nothing reserved, or already released.
      if (!(err instanceof TransactionCanceledException)) throw err;
    }
  }
}
