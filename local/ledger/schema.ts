// BigchainDB's draft-04 transaction schemas (local copies in ./schema, unmodified: their patterns stay unanchored, as
// the server's are). Common schema first, then the CREATE or TRANSFER one, as `common/schema/__init__.py` does.
import AjvDraft04, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The package is CommonJS with `exports.default`; under NodeNext the class sits on `.default`.
const Ajv = AjvDraft04.default;
const dir = join(import.meta.dirname, 'schema');

function load(file: string): object {
  return parse(readFileSync(join(dir, file), 'utf8')) as object;
}

export interface TxSchemas {
  common: ValidateFunction;
  create: ValidateFunction;
  transfer: ValidateFunction;
}

let cached: TxSchemas | undefined;

export function txSchemas(): TxSchemas {
  if (!cached) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    cached = {
      common: ajv.compile(load('transaction_v2.0.yaml')),
      create: ajv.compile(load('transaction_create_v2.0.yaml')),
      transfer: ajv.compile(load('transaction_transfer_v2.0.yaml')),
    };
  }
  return cached;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

/**
 * Renders an Ajv error in the style of Python jsonschema's `e.message` (the text BigchainDB puts after
 * "Invalid transaction schema: "). The wording is close for the common keywords, not byte-identical: which of several
 * errors is reported first may also differ.
 */
export function schemaErrorMessage(err: ErrorObject, root: unknown): string {
  const value = valueAt(root, err.instancePath);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `'${String(p.missingProperty)}' is a required property`;
    case 'additionalProperties':
      return `Additional properties are not allowed ('${String(p.additionalProperty)}' was unexpected)`;
    case 'type':
      return `${show(value)} is not of type '${String(p.type)}'`;
    case 'pattern':
      return `${show(value)} does not match '${String(p.pattern)}'`;
    case 'anyOf':
      return `${show(value)} is not valid under any of the given schemas`;
    case 'enum':
      return `${show(value)} is not one of ${show(p.allowedValues)}`;
    case 'minProperties':
      return `${show(value)} does not have enough properties`;
    case 'maxItems':
      return `${show(value)} is too long`;
    case 'minItems':
      return `${show(value)} is too short`;
    case 'minimum':
      return `${show(value)} is less than the minimum of ${String(p.limit)}`;
    case 'maximum':
      return `${show(value)} is greater than the maximum of ${String(p.limit)}`;
    default:
      return `${err.instancePath || '/'} ${err.message ?? 'is invalid'}`;
  }
}
