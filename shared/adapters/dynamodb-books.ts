// The double-entry books in the main table: the entry (ORDER#id / JOURNAL#step) and every balance it moves in one
// transaction, so the books are never half-posted, and the entry's attribute_not_exists condition makes a retried
// posting a no-op.
//
// An account's balance is split over `balanceShards` items (ACCOUNT#name / BALANCE#<shard>, the shard chosen by the
// entry), and read as their sum. Every order's escrow and release move the escrow and commission accounts: in AWS two
// transactions that touch one item at the same time cancel each other (TransactionConflict), so one balance item would
// make concurrent orders fail by turns and wait out the workflow's retries. Balances written as one item before
// (ACCOUNT#name / BALANCE) are part of the sum.
import { createHash } from 'node:crypto';
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertBalanced, type Books, type JournalEntry, type StatementLine } from '../payments/accounting.js';
import { documentClient, itemsUnder } from './dynamodb-document.js';

const balanceShards = 16;
/** The balance item an entry moves for every account: by its order and step, so a retry moves the same ones. */
const balanceKey = (entry: JournalEntry) => `BALANCE#${(createHash('sha256').update(`${entry.orderId}#${entry.step}`).digest().readUInt32BE(0) % balanceShards).toString().padStart(2, '0')}`;

export class DynamoDbBooks implements Books {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async post(entry: JournalEntry): Promise<boolean> {
    assertBalanced(entry);
    // Postings to one account are merged: a transaction may touch each item once.
    const byAccount = new Map<string, number>();
    for (const p of entry.postings) byAccount.set(p.account, (byAccount.get(p.account) ?? 0) + p.amountCents);
    const balance = balanceKey(entry);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: `ORDER#${entry.orderId}`, sk: `JOURNAL#${entry.step}`, entry }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...[...byAccount].map(([account, amount]) => ({
              Update: { TableName: this.table, Key: { pk: `ACCOUNT#${account}`, sk: balance }, UpdateExpression: 'ADD balanceCents :a', ExpressionAttributeValues: { ':a': amount } },
            })),
            // The account's statement line, written with the entry, so a statement always adds up to the balance.
            ...[...byAccount].map(([account, amount]) => ({
              Put: { TableName: this.table, Item: { pk: `ACCOUNT#${account}`, sk: `LINE#${entry.at}#${entry.orderId}#${entry.step}`, line: { orderId: entry.orderId, step: entry.step, amountCents: amount, at: entry.at } } },
            })),
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  async balance(account: string): Promise<number> {
    // 'BALANCE' is the prefix of every shard and the whole key of a balance kept as one item.
    const parts = await itemsUnder(this.doc, this.table, `ACCOUNT#${account}`, 'BALANCE', { consistent: true });
    return parts.reduce((sum, i) => sum + Number(i.balanceCents ?? 0), 0);
  }

  async statement(account: string): Promise<StatementLine[]> {
    return (await itemsUnder(this.doc, this.table, `ACCOUNT#${account}`, 'LINE#', { consistent: true })).map((i) => i.line as StatementLine);
  }

  async recentLines(account: string, limit: number): Promise<{ lines: StatementLine[]; earlierLinesOmitted: boolean }> {
    // Newest first, one more than asked: whether it came tells if earlier lines exist. Lines' sort keys begin with
    // their time, so the newest are the last keys.
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${account}`, ':p': 'LINE#' },
        ScanIndexForward: false,
        Limit: limit + 1,
        ConsistentRead: true,
      }),
    );
    const items = res.Items ?? [];
    return { lines: items.slice(0, limit).map((i) => i.line as StatementLine).reverse(), earlierLinesOmitted: items.length > limit };
  }

  async entries(orderId: string): Promise<JournalEntry[]> {
    return (await itemsUnder(this.doc, this.table, `ORDER#${orderId}`, 'JOURNAL#', { consistent: true })).map((i) => i.entry as JournalEntry);
  }
}
