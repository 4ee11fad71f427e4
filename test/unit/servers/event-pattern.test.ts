import { describe, expect, it } from 'vitest';
import { InvalidEventPattern, matchesPattern, validatePattern } from '../../../local/servers/event-pattern.js';
import { platform } from '../../../infra/platform.js';

const event = {
  source: 'dpm',
  'detail-type': 'ledger.product.printed',
  detail: { productId: 'p1', layers: 120, tags: ['red', 'pla'], printer: { ip: '10.0.3.7', name: 'Prusa-MK4' }, note: '', gone: null },
};

const cases: [string, Record<string, unknown>, boolean][] = [
  ['exact values (OR)', { source: ['other', 'dpm'] }, true],
  ['exact value miss', { source: ['other'] }, false],
  ['the ledger rule of the description', platform.eventRules.ledgerSteps.pattern, true],
  ['nested object', { detail: { printer: { name: ['Prusa-MK4'] } } }, true],
  ['prefix', { 'detail-type': [{ prefix: 'ledger.' }] }, true],
  ['prefix ignoring case', { detail: { printer: { name: [{ prefix: { 'equals-ignore-case': 'prusa' } }] } } }, true],
  ['suffix', { 'detail-type': [{ suffix: '.printed' }] }, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'DPM' }] }, true],
  ['wildcard', { 'detail-type': [{ wildcard: 'ledger.*.printed' }] }, true],
  ['wildcard miss', { 'detail-type': [{ wildcard: 'ledger.design.*' }] }, false],
  ['anything-but value', { source: [{ 'anything-but': 'aws.s3' }] }, true],
  ['anything-but list miss', { source: [{ 'anything-but': ['dpm', 'x'] }] }, false],
  ['anything-but prefix', { 'detail-type': [{ 'anything-but': { prefix: 'ledger.' } }] }, false],
  ['numeric range', { detail: { layers: [{ numeric: ['>', 100, '<=', 120] }] } }, true],
  ['numeric miss', { detail: { layers: [{ numeric: ['<', 100] }] } }, false],
  ['numeric on a string', { source: [{ numeric: ['>', 0] }] }, false],
  ['exists true', { detail: { productId: [{ exists: true }] } }, true],
  ['exists false on a missing field', { detail: { orderId: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { productId: [{ exists: false }] } }, false],
  ['array in the event: any element', { detail: { tags: ['pla'] } }, true],
  ['array in the event: none', { detail: { tags: ['petg'] } }, false],
  ['empty string', { detail: { note: [''] } }, true],
  ['null', { detail: { gone: [null] } }, true],
  ['missing field never equals', { detail: { missing: ['x'] } }, false],
  ['cidr', { detail: { printer: { ip: [{ cidr: '10.0.0.0/16' }] } } }, true],
  ['cidr miss', { detail: { printer: { ip: [{ cidr: '10.1.0.0/16' }] } } }, false],
  ['$or', { $or: [{ source: ['x'] }, { detail: { layers: [120] } }] }, true],
  ['$or miss', { $or: [{ source: ['x'] }, { detail: { layers: [1] } }] }, false],
  ['all fields must match', { source: ['dpm'], 'detail-type': ['ledger.design.registered'] }, false],
];

describe('EventBridge event patterns', () => {
  it.each(cases)('%s', (_name, pattern, expected) => {
    validatePattern(pattern);
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('rejects invalid patterns with the path at fault', () => {
    expect(() => validatePattern({})).toThrow(InvalidEventPattern);
    expect(() => validatePattern({ source: 'dpm' })).toThrow('source must be an array');
    expect(() => validatePattern({ source: [] })).toThrow('source must not be an empty array');
    expect(() => validatePattern({ detail: { n: [{ numeric: ['>>', 1] }] } })).toThrow('detail.n: bad numeric comparison');
    expect(() => validatePattern({ source: [{ regex: 'x' }] })).toThrow('unknown filter');
    expect(() => validatePattern({ $or: [{ source: ['x'] }] })).toThrow('$or needs');
    expect(() => validatePattern({ detail: { ip: [{ cidr: 'nope' }] } })).toThrow('cidr');
  });
});
