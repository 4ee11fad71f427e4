// The ledger writer's bookkeeping: each asset's tip in the main table (LEDGER#<assetKey>/ASSET), each step's planned
// transaction in the idempotency table (ledger-step:<eventId>). Completing a step moves the tip and marks the step
// in one transaction, conditioned on the tip it spent, so two writers can never fork an asset.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { Conflict } from '../errors.js';
import type { AssetState, LedgerBook, StepRecord } from '../ledger/ports.js';
import { documentClient } from './dynamodb-document.js';

const assetKey = (k: string) => ({ pk: `LEDGER#${k}`, sk: 'ASSET' });
const stepKey = (eventId: string) => ({ id: `ledger-step:${eventId}` });

export class DynamoDbLedgerBook implements LedgerBook {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly mainTable: string,
    private readonly idempotencyTable: string,
  ) {
    this.doc = documentClient(client);
  }

  async asset(k: string): Promise<AssetState | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.mainTable, Key: assetKey(k), ConsistentRead: true }));
    return out.Item?.asset as AssetState | undefined;
  }

  async step(eventId: string): Promise<StepRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.idempotencyTable, Key: stepKey(eventId), ConsistentRead: true }));
    return out.Item?.step as StepRecord | undefined;
  }

  async reserve(step: StepRecord): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.idempotencyTable, Item: { ...stepKey(step.eventId), step }, ConditionExpression: 'attribute_not_exists(id)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async complete(step: StepRecord): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.mainTable,
                Item: { ...assetKey(step.asset.assetKey), asset: step.asset },
                ConditionExpression: step.previousTip ? '#a.#t IN (:prev, :new)' : 'attribute_not_exists(pk) OR #a.#t = :new',
                ExpressionAttributeNames: { '#a': 'asset', '#t': 'tipTxId' },
                ExpressionAttributeValues: step.previousTip ? { ':prev': step.previousTip, ':new': step.tx.id } : { ':new': step.tx.id },
              },
            },
            { Put: { TableName: this.idempotencyTable, Item: { ...stepKey(step.eventId), step: { ...step, status: 'committed' } } } },
          ],
        }),
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        throw new Conflict(`The tip of ${step.asset.assetKey} moved past ${step.previousTip ?? '(create)'}; step ${step.eventId} cannot complete`);
      }
      throw err;
    }
  }
}
