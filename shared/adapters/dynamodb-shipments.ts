// Carriers' shipments in the single table: SHIPMENT#<orderId>, listed per carrier, newest first, on gsi1.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Shipment, Shipments } from '../partners/shipments.js';
import { conditionalWrite, documentClient } from './dynamodb-document.js';

export class DynamoDbShipments implements Shipments {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private item(s: Shipment) {
    return { pk: `SHIPMENT#${s.orderId}`, sk: 'SHIPMENT', gsi1pk: `CARRIER#${s.carrierId}#SHIPMENTS`, gsi1sk: `${s.requestedAt}#${s.orderId}`, shipment: s };
  }

  async create(s: Shipment) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(s), ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async get(orderId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `SHIPMENT#${orderId}`, sk: 'SHIPMENT' }, ConsistentRead: true }));
    return out.Item?.shipment as Shipment | undefined;
  }

  async save(s: Shipment) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(s) }));
  }

  async listByCarrier(carrierId: string, limit: number) {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :k', ExpressionAttributeValues: { ':k': `CARRIER#${carrierId}#SHIPMENTS` }, ScanIndexForward: false, Limit: limit }),
    );
    return (out.Items ?? []).map((i) => i.shipment as Shipment);
  }
}
