// Printers in the single table: PRINTER#id / PRINTER, a pointer per operator (OPERATOR#id / PRINTER#id), and gsi1 as
// the public list of printers, newest first.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PrinterStore } from '../printers/ports.js';
import type { Printer } from '../printers/printer.js';
import { batchGet, conditionalWrite, documentClient, sortKeysUnder } from './dynamodb-document.js';

const key = (id: string) => ({ pk: `PRINTER#${id}`, sk: 'PRINTER' });
const list = 'CATALOGUE#PRINTER';

export class DynamoDbPrinterStore implements PrinterStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private item(p: Printer) {
    return { ...key(p.printerId), gsi1pk: list, gsi1sk: `${p.createdAt}#${p.printerId}`, printer: p };
  }

  async get(id: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return out.Item?.printer as Printer | undefined;
  }

  async create(p: Printer) {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: this.item(p), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk: `OPERATOR#${p.operatorId}`, sk: `PRINTER#${p.printerId}` } } },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException) return false;
      throw err;
    }
  }

  async save(p: Printer, expectedRevision: number) {
    return conditionalWrite(
      this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(p), ConditionExpression: '#p.#r = :r', ExpressionAttributeNames: { '#p': 'printer', '#r': 'revision' }, ExpressionAttributeValues: { ':r': expectedRevision } })),
    );
  }

  async listByOperator(operatorId: string) {
    const ids = (await sortKeysUnder(this.doc, this.table, `OPERATOR#${operatorId}`, 'PRINTER#')).map((sk) => sk.slice('PRINTER#'.length));
    const printers = (await batchGet(this.doc, this.table, ids.map(key))).map((item) => item.printer as Printer);
    return printers.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async list() {
    const out: Printer[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :l', ExpressionAttributeValues: { ':l': list }, ScanIndexForward: false, ExclusiveStartKey: start }));
      for (const i of page.Items ?? []) out.push(i.printer as Printer);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
