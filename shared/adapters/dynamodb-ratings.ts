// Ratings in the single table: RATING#<orderId> once per order, and running totals per printer and per designer
// (RATINGS#printer:<id> / RATINGS#designer:<id>, sort key TOTALS), all written in one transaction. A copy of each
// rating sits beside its designer's totals (sort key RECEIVED#<at>#<orderId>) so the designer's list is one query.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Rating, RatingStore } from '../orders/ratings.js';
import { batchGet, documentClient, queryAll } from './dynamodb-document.js';

const totals = (kind: 'printer' | 'designer', id: string) => ({ pk: `RATINGS#${kind}:${id}`, sk: 'TOTALS' });

export class DynamoDbRatings implements RatingStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async add(r: Rating) {
    const bump = (key: Record<string, string>, stars: number) => ({
      Update: { TableName: this.table, Key: key, UpdateExpression: 'ADD stars :s, ratings :one', ExpressionAttributeValues: { ':s': stars, ':one': 1 } },
    });
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: `RATING#${r.orderId}`, sk: 'RATING', rating: r }, ConditionExpression: 'attribute_not_exists(pk)' } },
            bump(totals('printer', r.printerId), r.printerStars),
            bump(totals('designer', r.designerId), r.designStars),
            { Put: { TableName: this.table, Item: { pk: totals('designer', r.designerId).pk, sk: `RECEIVED#${r.at}#${r.orderId}`, rating: r } } },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  private static mean(item: Record<string, unknown> | undefined) {
    const count = Number(item?.ratings ?? 0);
    return { mean: count ? Number(item!.stars) / count : 0, count };
  }

  // One request for every printer a match weighs, rather than one each.
  async printerRatings(printerIds: readonly string[]) {
    const ids = [...new Set(printerIds)];
    const items = await batchGet(this.doc, this.table, ids.map((id) => totals('printer', id)));
    const byPk = new Map(items.map((i) => [String(i.pk), i]));
    return new Map(ids.map((id) => [id, DynamoDbRatings.mean(byPk.get(totals('printer', id).pk))]));
  }

  async designerRating(designerId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: totals('designer', designerId) }));
    return DynamoDbRatings.mean(out.Item);
  }

  async receivedByDesigner(designerId: string): Promise<Rating[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': totals('designer', designerId).pk, ':r': 'RECEIVED#' },
      ScanIndexForward: false,
    });
    return items.map((i) => i.rating as Rating);
  }
}
