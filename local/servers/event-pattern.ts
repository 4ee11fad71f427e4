// EventBridge content filtering, as AWS documents it: a pattern matches an event when every field of the pattern
// matches; a field's array is an OR of exact values and filters (prefix, suffix, anything-but, numeric, exists,
// equals-ignore-case, wildcard, cidr); `$or` combines sub-patterns; an array in the event matches if any element does.

export class InvalidEventPattern extends Error {
  override name = 'InvalidEventPattern';
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function validatePattern(pattern: unknown, path = ''): void {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) throw new InvalidEventPattern(`${path || 'The pattern'} must be an object`);
  const entries = Object.entries(pattern as Record<string, unknown>);
  if (!entries.length && !path) throw new InvalidEventPattern('The pattern must not be empty');
  for (const [key, value] of entries) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new InvalidEventPattern(`${at} needs an array of at least two patterns`);
      value.forEach((p, i) => validatePattern(p, `${at}[${i}]`));
    } else if (Array.isArray(value)) {
      if (!value.length) throw new InvalidEventPattern(`${at} must not be an empty array`);
      for (const v of value) if (v !== null && typeof v === 'object') validateFilter(v as Record<string, unknown>, at);
    } else if (value !== null && typeof value === 'object') {
      validatePattern(value, at);
    } else {
      throw new InvalidEventPattern(`${at} must be an array of values or filters, or a nested object`);
    }
  }
}

const filterNames = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'wildcard', 'cidr'];

function validateFilter(f: Record<string, unknown>, at: string): void {
  const keys = Object.keys(f);
  if (keys.length !== 1 || !filterNames.includes(keys[0]!)) throw new InvalidEventPattern(`${at}: unknown filter ${JSON.stringify(f)}`);
  const [name, arg] = [keys[0]!, f[keys[0]!]];
  if (name === 'numeric') {
    if (!Array.isArray(arg) || arg.length % 2 !== 0 || !arg.length) throw new InvalidEventPattern(`${at}: numeric needs operator/value pairs`);
    for (let i = 0; i < arg.length; i += 2) {
      if (!['<', '<=', '=', '>', '>='].includes(String(arg[i])) || typeof arg[i + 1] !== 'number') throw new InvalidEventPattern(`${at}: bad numeric comparison ${JSON.stringify(arg.slice(i, i + 2))}`);
    }
  } else if (name === 'exists' && typeof arg !== 'boolean') throw new InvalidEventPattern(`${at}: exists takes true or false`);
  else if (name === 'cidr' && (typeof arg !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(arg))) throw new InvalidEventPattern(`${at}: cidr takes an IPv4 prefix like 10.0.0.0/24`);
}

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchObject(pattern, event as Json);
}

function matchObject(pattern: Record<string, unknown>, event: Json | undefined): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as Record<string, unknown>[]).some((p) => matchObject(p, event))) return false;
      continue;
    }
    const value = event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, Json>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchField(expected, value)) return false;
    } else if (!matchObject(expected as Record<string, unknown>, value)) return false;
  }
  return true;
}

function matchField(alternatives: unknown[], value: Json | undefined): boolean {
  const exists = alternatives.find((a) => a !== null && typeof a === 'object' && 'exists' in (a as object)) as { exists: boolean } | undefined;
  if (exists && (value === undefined) === exists.exists) return alternatives.some((a) => a !== exists && matchAny(a, value));
  if (exists) return true;
  if (value === undefined) return false;
  return alternatives.some((a) => matchAny(a, value));
}

function matchAny(alt: unknown, value: Json | undefined): boolean {
  if (value === undefined) return false;
  // An array in the event matches when one of its elements does.
  if (Array.isArray(value)) return value.some((v) => matchOne(alt, v));
  return matchOne(alt, value);
}

function matchOne(alt: unknown, v: Json): boolean {
  if (alt === null || typeof alt !== 'object') return alt === v;
  const [name, arg] = Object.entries(alt as Record<string, unknown>)[0]!;
  switch (name) {
    case 'prefix':
      if (typeof arg === 'object' && arg !== null) return typeof v === 'string' && v.toLowerCase().startsWith(String((arg as { 'equals-ignore-case': string })['equals-ignore-case']).toLowerCase());
      return typeof v === 'string' && v.startsWith(String(arg));
    case 'suffix':
      if (typeof arg === 'object' && arg !== null) return typeof v === 'string' && v.toLowerCase().endsWith(String((arg as { 'equals-ignore-case': string })['equals-ignore-case']).toLowerCase());
      return typeof v === 'string' && v.endsWith(String(arg));
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && wildcard(String(arg)).test(v);
    case 'anything-but': {
      if (Array.isArray(arg)) return !arg.includes(v);
      if (arg !== null && typeof arg === 'object') return !matchOne(arg, v);
      return v !== arg;
    }
    case 'numeric': {
      if (typeof v !== 'number') return false;
      const ops = arg as (string | number)[];
      for (let i = 0; i < ops.length; i += 2) {
        const n = ops[i + 1] as number;
        const ok = { '<': v < n, '<=': v <= n, '=': v === n, '>': v > n, '>=': v >= n }[ops[i] as '<'];
        if (!ok) return false;
      }
      return true;
    }
    case 'cidr':
      return typeof v === 'string' && inCidr(v, String(arg));
    default:
      return false;
  }
}

function wildcard(p: string): RegExp {
  return new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (s: string) => s.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
  const [net, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(net!) & mask);
}

export type { Json };
