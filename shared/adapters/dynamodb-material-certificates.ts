// Material certificates in the single table: one item per issuer and certificate id, under the lot they vouch for
// (MATERIAL_LOT#<lotId> / CERT#<issuer>#<certificateId>), so a lot's certificates are one query.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MaterialCertificate, MaterialCertificates } from '../partners/material-certificates.js';
import { documentClient, itemsUnder } from './dynamodb-document.js';

export class DynamoDbMaterialCertificates implements MaterialCertificates {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private idKey = (issuer: string, certificateId: string) => ({ pk: `CERTIFICATE#${issuer}#${certificateId}`, sk: 'CERTIFICATE' });

  /** The issuer's certificate id is claimed and the lot's entry written together, so an id can never name two lots. */
  async create(c: MaterialCertificate) {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { ...this.idKey(c.issuerPartnerId, c.certificateId), certificate: c }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk: `MATERIAL_LOT#${c.lotId}`, sk: `CERT#${c.issuerPartnerId}#${c.certificateId}`, certificate: c } } },
          ],
        }),
      );
      return true;
    } catch (err) {
      // Cancelled because the id was taken: a retry. Cancelled for any other reason (a conflicting write): retry later.
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  async get(issuer: string, certificateId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.idKey(issuer, certificateId), ConsistentRead: true }));
    return out.Item?.certificate as MaterialCertificate | undefined;
  }

  async listByLot(lotId: string) {
    return (await itemsUnder(this.doc, this.table, `MATERIAL_LOT#${lotId}`, 'CERT#')).map((i) => i.certificate as MaterialCertificate);
  }
}
