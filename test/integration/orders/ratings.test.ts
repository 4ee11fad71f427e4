// Ratings against DynamoDB Local: once per order, and running means per printer and designer that the match uses.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbRatings } from '../../../shared/adapters/dynamodb-ratings.js';
import { designerFeedback, type Rating } from '../../../shared/orders/ratings.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const table = `ratings-${randomUUID()}`;

describe('ratings', () => {
  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  const rating = (orderId: string, printerStars: number, designStars: number): Rating => ({ orderId, designId: 'd', designerId: 'alice', printerId: 'printer-1', customerId: 'bob', designStars, printerStars, at: '2026-12-02T00:00:00Z' });

  it('keeps one rating per order and averages per printer and designer', async () => {
    const ratings = new DynamoDbRatings(dynamo, table);
    expect(await ratings.printerRatings(['printer-1'])).toEqual(new Map([['printer-1', { mean: 0, count: 0 }]]));
    expect(await ratings.add(rating('o1', 5, 4))).toBe(true);
    expect(await ratings.add(rating('o1', 1, 1))).toBe(false);
    expect(await ratings.add(rating('o2', 2, 3))).toBe(true);
    expect(await ratings.printerRatings(['printer-1', 'printer-2', 'printer-1'])).toEqual(
      new Map([
        ['printer-1', { mean: 3.5, count: 2 }],
        ['printer-2', { mean: 0, count: 0 }],
      ]),
    );
    expect(await ratings.designerRating('alice')).toEqual({ mean: 3.5, count: 2 });
  });

  it('lists the ratings a designer received, newest first, written with the totals', async () => {
    const ratings = new DynamoDbRatings(dynamo, table);
    const at = (d: number) => `2026-12-0${d}T00:00:00Z`;
    await ratings.add({ ...rating('r1', 4, 5), designerId: 'dora', at: at(1), comment: 'Lovely' });
    await ratings.add({ ...rating('r2', 3, 2), designerId: 'dora', at: at(3) });
    await ratings.add({ ...rating('r3', 3, 2), designerId: 'someone-else', at: at(2) });
    expect(await ratings.add({ ...rating('r1', 1, 1), designerId: 'dora', at: at(4) })).toBe(false);
    expect((await ratings.receivedByDesigner('dora')).map((r) => [r.orderId, r.designStars, r.comment])).toEqual([
      ['r2', 2, undefined],
      ['r1', 5, 'Lovely'],
    ]);
    expect(await designerFeedback({ designerId: 'dora' }, { ratings })).toEqual({
      mean: 3.5,
      count: 2,
      ratings: [
        { orderId: 'r2', designId: 'd', stars: 2, at: at(3) },
        { orderId: 'r1', designId: 'd', stars: 5, comment: 'Lovely', at: at(1) },
      ],
    });
    expect(await ratings.receivedByDesigner('nobody')).toEqual([]);
  });
});
