// Proofs of printability beside their design: DESIGN#id / PRINTABILITY#printerId (the latest answer per printer).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PrintabilityProof, PrintabilityProofStore } from '../printers/printability-proof.js';
import { documentClient } from './dynamodb-document.js';

export class DynamoDbPrintabilityProofs implements PrintabilityProofStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async put(proof: PrintabilityProof): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `DESIGN#${proof.designId}`, sk: `PRINTABILITY#${proof.printerId}`, proof } }));
  }

  async forDesign(designId: string): Promise<PrintabilityProof[]> {
    const out = await this.doc.send(new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `DESIGN#${designId}`, ':p': 'PRINTABILITY#' } }));
    return (out.Items ?? []).map((i) => i.proof as PrintabilityProof);
  }
}
