// Designs in the single table. Items: the design (DESIGN#id / DESIGN), each terms version (DESIGN#id / TERMS#000001),
// and a pointer per designer (DESIGNER#id / DESIGN#id). Only listed designs carry gsi1 keys, so the catalogue index
// is sparse and newest first.
import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Design, LicenseTerms } from '../designs/design.js';
import type { DesignStore, EditionCounts } from '../designs/ports.js';
import { InvalidInput } from '../errors.js';
import { batchGet, documentClient, itemsUnder, sortKeysUnder } from './dynamodb-document.js';

const catalogue = 'CATALOGUE#DESIGN';
const designKey = (id: string) => ({ pk: `DESIGN#${id}`, sk: 'DESIGN' });
const termsKey = (id: string, version: number) => ({ pk: `DESIGN#${id}`, sk: `TERMS#${String(version).padStart(6, '0')}` });
const pointerKey = (designerId: string, id: string) => ({ pk: `DESIGNER#${designerId}`, sk: `DESIGN#${id}` });

export class DynamoDbDesignStore implements DesignStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  private item(design: Design) {
    const listed = design.status === 'listed' ? { gsi1pk: catalogue, gsi1sk: `${design.createdAt}#${design.designId}` } : {};
    return { ...designKey(design.designId), ...listed, design };
  }

  async get(designId: string): Promise<Design | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: designKey(designId), ConsistentRead: true }));
    return out.Item?.design as Design | undefined;
  }

  async create(design: Design): Promise<boolean> {
    return this.transact([
      { Put: { TableName: this.tableName, Item: this.item(design), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.tableName, Item: { ...termsKey(design.designId, design.terms.version), terms: design.terms } } },
      { Put: { TableName: this.tableName, Item: { ...pointerKey(design.designerId, design.designId), createdAt: design.createdAt } } },
    ]);
  }

  async save(design: Design, expectedRevision: number): Promise<boolean> {
    // An update, not a put: the design item also carries the edition counters (sold, issued), which an edit must keep.
    const listed = design.status === 'listed';
    return this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: designKey(design.designId),
          UpdateExpression: listed ? 'SET #d = :d, gsi1pk = :gpk, gsi1sk = :gsk' : 'SET #d = :d REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#d.#r = :r',
          ExpressionAttributeNames: { '#d': 'design', '#r': 'revision' },
          ExpressionAttributeValues: {
            ':d': design,
            ':r': expectedRevision,
            ...(listed ? { ':gpk': catalogue, ':gsk': `${design.createdAt}#${design.designId}` } : {}),
          },
        },
      },
      // Rewriting the current version with the same content is harmless; a new version is added beside the old ones.
      { Put: { TableName: this.tableName, Item: { ...termsKey(design.designId, design.terms.version), terms: design.terms } } },
    ]);
  }

  async termsHistory(designId: string): Promise<LicenseTerms[]> {
    return (await itemsUnder(this.doc, this.tableName, `DESIGN#${designId}`, 'TERMS#', { consistent: true })).map((i) => i.terms as LicenseTerms);
  }

  async listByDesigner(designerId: string): Promise<Design[]> {
    const ids = (await sortKeysUnder(this.doc, this.tableName, `DESIGNER#${designerId}`, 'DESIGN#')).map((sk) => sk.slice('DESIGN#'.length));
    const designs = (await batchGet(this.doc, this.tableName, ids.map(designKey))).map((item) => item.design as Design);
    return designs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async editionCounts(designIds: readonly string[]): Promise<Map<string, EditionCounts>> {
    // The counters live on the design item, kept there by the licence reservations.
    const items = await batchGet(this.doc, this.tableName, designIds.map(designKey));
    const out = new Map(designIds.map((id) => [id, { sold: 0, issued: 0 }]));
    for (const item of items) out.set((item.design as Design).designId, { sold: Number(item.sold ?? 0), issued: Number(item.issued ?? 0) });
    return out;
  }

  async catalogue(pageSize: number, after?: string): Promise<{ designs: Design[]; next?: string }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :c',
        ExpressionAttributeValues: { ':c': catalogue },
        ScanIndexForward: false,
        Limit: pageSize,
        ExclusiveStartKey: after ? decodeKey(after) : undefined,
      }),
    );
    return {
      designs: (out.Items ?? []).map((i) => i.design as Design),
      next: out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') : undefined,
    };
  }

  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

function decodeKey(token: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown;
    if (key && typeof key === 'object') return key as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new InvalidInput('The page token is not valid');
}
