// Mongo-style text search: tokenizing, stop words, Snowball stemming, OR/phrase/negation and ranking.
import { describe, expect, it } from 'vitest';
import { normalizeText, parseQuery, rawTokens, terms, TextIndex } from '../../../local/ledger/search.js';

describe('tokenizer', () => {
  it('splits on punctuation and whitespace, folds case and diacritics', () => {
    expect(rawTokens('Hello, WORLD! 3D-printed_part 0.123')).toEqual(['hello', 'world', '3d', 'printed', 'part', '0', '123']);
    expect(normalizeText('Crème Brûlée ÅNGSTRÖM')).toBe('creme brulee angstrom');
  });

  it('drops English stop words and stems the rest (Snowball English)', () => {
    expect(terms('The printers are printing and were printed')).toEqual(['printer', 'print', 'print']);
    expect(terms('running runs ran generously')).toEqual(['run', 'run', 'ran', 'generous']);
    expect(terms('of the and a')).toEqual([]);
  });

  it('parses OR terms, "phrases" and -negations', () => {
    expect(parseQuery('red "blue  Widget" -green -"old stock"')).toEqual({
      terms: ['red', 'blue', 'widget'],
      negated: ['green'],
      phrases: [{ text: 'blue  widget', terms: ['blue', 'widget'] }],
      negatedPhrases: ['old stock'],
      rawPositive: ['red', 'blue', 'widget'],
      rawNegative: ['green'],
    });
  });
});

describe('TextIndex', () => {
  const docs: Record<number, unknown> = {
    0: { title: 'Red widget', tags: ['metal', { colour: 'red' }] },
    1: { title: 'Blue widget', note: 'red trim' },
    2: { title: 'Green gadget' },
    3: { title: 'red red red' },
    4: { n: 42, title: null },
  };
  const index = new TextIndex();
  for (const [doc, value] of Object.entries(docs)) index.add(Number(doc), value);
  const hooks = { docById: (id: string) => (id === 'a'.repeat(64) ? 2 : undefined), load: (d: number) => docs[d] };
  const search = (q: string, limit = 0) => index.search(q, limit, hooks);

  it('ORs terms and ranks by score (repeats and short fields score higher; ties keep insertion order)', () => {
    expect(search('red')).toEqual([0, 3, 1]);
    expect(search('red gadget')).toEqual([0, 3, 1, 2]);
    expect(search('widgets')).toEqual([0, 1]);
    expect(search('red', 2)).toEqual([0, 3]);
  });

  it('requires phrases, excludes negated terms, ignores numbers and keys', () => {
    expect(search('"blue widget"')).toEqual([1]);
    expect(search('"widget blue"')).toEqual([]);
    expect(search('red -widget')).toEqual([3]);
    expect(search('-red')).toEqual([]);
    expect(search('42')).toEqual([]);
    expect(search('title')).toEqual([]);
  });

  it('finds a document by its id', () => {
    expect(search('A'.repeat(64))).toEqual([2]);
    expect(search(`gadget -${'a'.repeat(64)}`)).toEqual([]);
  });
});
