// BigchainDB's validation pipeline, in the server's order: id hash → schema → key/language checks → fulfillments and
// amounts (stateless, `parseTransaction`), then the checks against ledger state (`validateAgainstState`), which run
// once against committed state when a tx is posted and again, without signatures, when its block is cut.
import {
  conditionUriFromDetails,
  detailsKeys,
  fulfillmentConditionUri,
  parseFulfillment,
  verifyFulfillment,
  type ConditionDetails,
  type ParsedFulfillment,
} from './conditions.js';
import { schemaErrorMessage, txSchemas } from './schema.js';
import { computeTxId, inputDigest, signingBase } from './serialize.js';

/** A rejected transaction; `httpMessage` is the text BigchainDB puts in the 400 body. */
export class TxRejectedError extends Error {
  override name = 'TxRejectedError';
  constructor(
    /** BigchainDB's exception class name, e.g. `DoubleSpend`. */
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
  }
  get httpMessage(): string {
    return `Invalid transaction (${this.errorClass}): ${this.message}`;
  }
}

export class TxSchemaError extends TxRejectedError {
  override name = 'TxSchemaError';
  constructor(message: string) {
    super('SchemaValidationError', message);
  }
  override get httpMessage(): string {
    return `Invalid transaction schema: ${this.message}`;
  }
}

export const MAX_AMOUNT = 9_000_000_000_000_000_000n;

const VALID_LANGUAGES = new Set(
  'danish dutch english finnish french german hungarian italian norwegian portuguese romanian russian spanish swedish turkish none da nl en fi fr de hu it nb pt ro ru es sv tr'.split(' '),
);

export interface ParsedOutput {
  amount: bigint;
  details: ConditionDetails;
  /** Derived from `details`; what BigchainDB stores and compares, whatever `uri` was posted. */
  uri: string;
  /** Keys in `details` (recursively): who can see this output through GET /outputs. */
  owners: Set<string>;
}

export interface ParsedInput {
  fulfills: { txId: string; index: number } | null;
  fulfillment: ParsedFulfillment;
}

export interface ParsedTx {
  id: string;
  operation: 'CREATE' | 'TRANSFER';
  /** For CREATE the tx's own id, for TRANSFER `asset.id`. */
  assetId: string;
  inputs: ParsedInput[];
  outputs: ParsedOutput[];
  /** The posted body (what a 202 echoes). */
  body: TxBody;
  /** The body as GET returns it: amounts re-stringified and condition URIs re-derived, as BigchainDB's to_dict does. */
  normalized: TxBody;
}

export interface TxBody {
  id: string;
  version: string;
  operation: string;
  asset: { data?: Record<string, unknown> | null; id?: string };
  metadata: Record<string, unknown> | null;
  inputs: {
    owners_before: string[];
    fulfills: { transaction_id: string; output_index: number } | null;
    fulfillment: string | ConditionDetails;
  }[];
  outputs: { public_keys: string[]; amount: string; condition: { details: ConditionDetails; uri: string } }[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateKeys(objName: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) validateKeys(objName, item);
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('$') || key.includes('.') || key.includes('\0')) {
        throw new TxRejectedError(
          'ValidationError',
          `Invalid key name "${key}" in ${objName} object. The key name cannot contain characters ".", "$" or null characters`,
        );
      }
      validateKeys(objName, v);
    }
  }
}

function validateLanguage(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) validateLanguage(item);
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'language') {
        if (typeof v !== 'string' || !VALID_LANGUAGES.has(v)) {
          const shown = typeof v === 'string' ? v : JSON.stringify(v);
          throw new TxRejectedError(
            'ValidationError',
            `MongoDB does not support text search for the language "${shown}". If you do not understand this error message then please rename key/field "language" to something else like "lang".`,
          );
        }
      } else {
        validateLanguage(v);
      }
    }
  }
}

/** The stateless half: throws TxRejectedError (400) or returns the parsed transaction. */
export function parseTransaction(body: unknown): ParsedTx {
  // BigchainDB answers a non-object body with a 500 (an AttributeError); we make it a clear 400 instead.
  if (!isPlainObject(body)) {
    throw new TxRejectedError('ValidationError', 'The transaction must be a JSON object');
  }
  if (!('id' in body)) throw new TxRejectedError('InvalidHash', 'No transaction id found!');
  const proposed = body.id;
  if (proposed !== computeTxId(body)) {
    const shown = proposed === null ? 'None' : typeof proposed === 'string' ? proposed : JSON.stringify(proposed);
    throw new TxRejectedError('InvalidHash', `The transaction's id '${shown}' isn't equal to the hash of its body, i.e. it's not valid.`);
  }

  const schemas = txSchemas();
  const specific = body.operation === 'TRANSFER' ? schemas.transfer : schemas.create;
  for (const validator of [schemas.common, specific]) {
    if (!validator(body)) throw new TxSchemaError(schemaErrorMessage(validator.errors![0]!, body));
  }
  const tx = body as unknown as TxBody;
  if (tx.operation !== 'CREATE' && tx.operation !== 'TRANSFER') {
    // Governance txs (elections, votes) need a validator set; a single local node does not have one.
    throw new TxRejectedError('ValidationError', `operation ${tx.operation} is not supported by this node`);
  }

  if (isPlainObject(tx.asset.data) || Array.isArray(tx.asset.data)) validateKeys('asset', tx.asset.data);
  validateKeys('metadata', tx.metadata);
  validateLanguage(tx.asset.data);
  validateLanguage(tx.metadata);

  const inputs: ParsedInput[] = tx.inputs.map((input) => {
    let fulfillment: ParsedFulfillment;
    if (typeof input.fulfillment === 'string') {
      try {
        fulfillment = parseFulfillment(input.fulfillment);
      } catch {
        throw new TxRejectedError('InvalidSignature', "Fulfillment URI couldn't been parsed");
      }
    } else {
      fulfillment = { kind: 'unsigned' };
    }
    const f = input.fulfills;
    return { fulfills: f ? { txId: f.transaction_id, index: f.output_index } : null, fulfillment };
  });

  const outputs: ParsedOutput[] = tx.outputs.map((o) => {
    const amount = BigInt(o.amount);
    if (amount < 1n) throw new TxRejectedError('AmountError', '`amount` must be greater than 0');
    if (amount > MAX_AMOUNT) throw new TxRejectedError('AmountError', `\`amount\` must be <= ${MAX_AMOUNT}`);
    let uri: string;
    try {
      uri = conditionUriFromDetails(o.condition.details);
    } catch (err) {
      throw new TxRejectedError('ValidationError', `Invalid condition details: ${(err as Error).message}`);
    }
    return { amount, details: o.condition.details, uri, owners: detailsKeys(o.condition.details) };
  });

  const normalized: TxBody = {
    ...tx,
    outputs: tx.outputs.map((o, i) => ({
      ...o,
      amount: outputs[i]!.amount.toString(),
      condition: { details: o.condition.details, uri: outputs[i]!.uri },
    })),
  };
  return {
    id: tx.id,
    operation: tx.operation,
    assetId: tx.operation === 'CREATE' ? tx.id : tx.asset.id!,
    inputs,
    outputs,
    body: tx,
    normalized,
  };
}

/** What the state checks need to know about an earlier transaction. */
export interface KnownTx {
  assetId: string;
  outputs: readonly { amount: bigint; uri: string }[];
}

/** Committed state, possibly overlaid with the transactions earlier in the block being cut. */
export interface StateView {
  getTx(id: string): KnownTx | undefined;
  isSpent(txId: string, index: number): boolean;
}

/** The stateful half (rules 8–17). `checkSignatures` is false when re-checking a tx already verified at admission. */
export function validateAgainstState(tx: ParsedTx, state: StateView, checkSignatures = true): void {
  if (tx.operation === 'CREATE') {
    if (state.getTx(tx.id)) throw new TxRejectedError('DuplicateTransaction', `transaction \`${tx.id}\` already exists`);
    if (checkSignatures) {
      const base = signingBase(tx.body);
      const ok = tx.inputs.every((input) => verifyFulfillment(input.fulfillment, inputDigest(base, { fulfills: null })));
      if (!ok) throw new TxRejectedError('InvalidSignature', 'Transaction signature is invalid.');
    }
    return;
  }

  const spentOutputs: { amount: bigint; uri: string }[] = [];
  const assetIds = new Set<string>();
  for (const input of tx.inputs) {
    const ref = input.fulfills!;
    const spentTx = state.getTx(ref.txId);
    if (!spentTx) throw new TxRejectedError('InputDoesNotExist', `input \`${ref.txId}\` doesn't exist`);
    if (state.isSpent(ref.txId, ref.index)) throw new TxRejectedError('DoubleSpend', `input \`${ref.txId}\` was already spent`);
    const output = spentTx.outputs[ref.index];
    // BigchainDB answers this with a 500 (an IndexError); a 400 naming the problem is more useful.
    if (!output) throw new TxRejectedError('InputDoesNotExist', `input \`${ref.txId}\` has no output ${ref.index}`);
    spentOutputs.push(output);
    assetIds.add(spentTx.assetId);
  }
  const links = new Set(tx.inputs.map((i) => `${i.fulfills!.txId}:${i.fulfills!.index}`));
  if (links.size !== tx.inputs.length) throw new TxRejectedError('DoubleSpend', `tx "${tx.id}" spends inputs twice`);
  if (assetIds.size > 1) {
    throw new TxRejectedError('AssetIdMismatch', 'All inputs of all transactions passed need to have the same asset id');
  }
  if ([...assetIds][0] !== tx.assetId) {
    throw new TxRejectedError('AssetIdMismatch', 'The asset id of the input does not match the asset id of the transaction');
  }
  const inAmount = spentOutputs.reduce((s, o) => s + o.amount, 0n);
  const outAmount = tx.outputs.reduce((s, o) => s + o.amount, 0n);
  if (inAmount !== outAmount) {
    throw new TxRejectedError(
      'AmountError',
      `The amount used in the inputs \`${inAmount}\` needs to be same as the amount used in the outputs \`${outAmount}\``,
    );
  }
  if (checkSignatures) {
    const base = signingBase(tx.body);
    const ok = tx.inputs.every((input, i) => {
      if (fulfillmentConditionUri(input.fulfillment) !== spentOutputs[i]!.uri) return false;
      return verifyFulfillment(input.fulfillment, inputDigest(base, { fulfills: { transaction_id: input.fulfills!.txId, output_index: input.fulfills!.index } }));
    });
    if (!ok) throw new TxRejectedError('InvalidSignature', 'Transaction signature is invalid.');
  }
}
