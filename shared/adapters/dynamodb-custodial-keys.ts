// Participants' ledger keys in custody: an Ed25519 seed per participant, sealed under its own KMS data key (bound to
// the participant) and stored in the main table. The seed is unsealed only for the moment of a signature.
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import bs58 from 'bs58';
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { open, seal, type DataKeys } from '../crypto/envelope.js';
import type { CustodialKeys } from '../ledger/ports.js';
import { documentClient } from './dynamodb-document.js';

const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const key = (participant: string) => ({ pk: `PARTICIPANT#${participant}`, sk: 'LEDGER_KEY' });
const context = (participant: string) => ({ participant, purpose: 'ledger-key' });

function privateKeyFromSeed(seed: Uint8Array) {
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

export class DynamoDbCustodialKeys implements CustodialKeys {
  private readonly doc: DynamoDBDocumentClient;
  private readonly publicKeys = new Map<string, string>();

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly dataKeys: DataKeys,
  ) {
    this.doc = documentClient(client);
  }

  private async load(participant: string): Promise<{ publicKey: string; sealedSeed: string } | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(participant), ConsistentRead: true }));
    return out.Item as { publicKey: string; sealedSeed: string } | undefined;
  }

  async publicKeyOf(participant: string): Promise<string> {
    const cached = this.publicKeys.get(participant);
    if (cached) return cached;
    let item = await this.load(participant);
    if (!item) {
      const seed = randomBytes(32);
      const raw = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' }).subarray(-32);
      const candidate = { publicKey: bs58.encode(raw), sealedSeed: Buffer.from(await seal(seed, this.dataKeys, context(participant))).toString('base64') };
      seed.fill(0);
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...key(participant), ...candidate }, ConditionExpression: 'attribute_not_exists(pk)' }));
        item = candidate;
      } catch (err) {
        // Two first uses raced: the stored key wins, so a participant only ever has one.
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        item = await this.load(participant);
        if (!item) throw err;
      }
    }
    this.publicKeys.set(participant, item.publicKey);
    return item.publicKey;
  }

  async sign(participant: string, message: Uint8Array): Promise<Uint8Array> {
    const item = await this.load(participant);
    if (!item) throw new Error(`No custodial key for ${participant}`);
    const seed = await open(Buffer.from(item.sealedSeed, 'base64'), this.dataKeys, context(participant));
    try {
      return sign(null, message, privateKeyFromSeed(seed));
    } finally {
      seed.fill(0);
    }
  }
}
