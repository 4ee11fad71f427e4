// The double-entry books in the main table: the entry (ORDER#id / JOURNAL#step) and every balance it moves
// (ACCOUNT#name / BALANCE) in one transaction, so the books are never half-posted, and the entry's
// attribute_not_exists condition makes a retried posting a no-op.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertBalanced, type Books, type JournalEntry, type StatementLine } from '../payments/accounting.js';
import { documentClient, itemsUnder } from './dynamodb-document.js';

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
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: `ORDER#${entry.orderId}`, sk: `JOURNAL#${entry.step}`, entry }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...[...byAccount].map(([account, amount]) => ({
              Update: { TableName: this.table, Key: { pk: `ACCOUNT#${account}`, sk: 'BALANCE' }, UpdateExpression: 'ADD balanceCents :a', ExpressionAttributeValues: { ':a': amount } },
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
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `ACCOUNT#${account}`, sk: 'BALANCE' }, ConsistentRead: true }));
    return Number(out.Item?.balanceCents ?? 0);
  }

  async statement(account: string): Promise<StatementLine[]> {
    return (await itemsUnder(this.doc, this.table, `ACCOUNT#${account}`, 'LINE#', { consistent: true })).map((i) => i.line as StatementLine);
  }

  async entries(orderId: string): Promise<JournalEntry[]> {
    return (await itemsUnder(this.doc, this.table, `ORDER#${orderId}`, 'JOURNAL#', { consistent: true })).map((i) => i.entry as JournalEntry);
  }
}
