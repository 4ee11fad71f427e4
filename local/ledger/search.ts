// MongoDB `$text` semantics over BigchainDB's wildcard text indexes (`{"$**": "text"}`, language english): every string
// value at any depth is indexed; case and diacritics are ignored; English stop words are dropped and the rest
// Snowball-stemmed; query terms are OR'ed, "quoted phrases" are required, -terms exclude; results are ranked by
// Mongo's text score. The inverted index keeps one packed number per (term, document) so a million documents fit in a
// few tens of megabytes.
import snowball from 'snowball-stemmers';

const stemmer = snowball.newStemmer('english');

// English stop words in the spirit of MongoDB's list (words carrying no meaning in a search).
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below between both
but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further had
hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd
i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once
only or other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such
than that that's the their theirs them themselves then there there's these they they'd they'll they're they've this
those through to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves s t d ll m re ve`.split(/\s+/),
);

/** Lower-cases and strips diacritics (Mongo's text index v3 is diacritic-insensitive). */
const NON_ASCII = /[^\p{ASCII}]/u;

export function normalizeText(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

const DELIMITERS = /[^\p{L}\p{N}]+/u;
const ASCII_DELIMITERS = /[^a-z0-9]+/;

/** Raw tokens of a string: normalized, split on anything that is not a letter or a digit. */
export function rawTokens(s: string): string[] {
  const n = normalizeText(s);
  return n.split(NON_ASCII.test(n) ? DELIMITERS : ASCII_DELIMITERS).filter((t) => t.length > 0);
}

const stemCache = new Map<string, string>();

// Snowball's English rules all need a vowel (or y) in the word, so words without one (numbers, codes) stay as they are.
const STEMMABLE = /[aeiouy]/;

export function stem(token: string): string {
  if (!STEMMABLE.test(token)) return token;
  let s = stemCache.get(token);
  if (s === undefined) {
    s = stemmer.stem(token);
    if (stemCache.size > 100_000) stemCache.clear();
    stemCache.set(token, s);
  }
  return s;
}

/** The index terms of a string: stop words dropped, the rest stemmed. */
export function terms(s: string): string[] {
  const out: string[] = [];
  for (const t of rawTokens(s)) if (!STOP_WORDS.has(t)) out.push(stem(t));
  return out;
}

export interface ParsedQuery {
  terms: string[];
  negated: string[];
  /** Normalized phrase text and its terms. */
  phrases: { text: string; terms: string[] }[];
  negatedPhrases: string[];
  /** Lower-cased raw tokens, for id look-ups. */
  rawPositive: string[];
  rawNegative: string[];
}

/** Parses a `$search` string the way Mongo does: "phrases", -negations, everything else OR'ed. */
export function parseQuery(q: string): ParsedQuery {
  const out: ParsedQuery = { terms: [], negated: [], phrases: [], negatedPhrases: [], rawPositive: [], rawNegative: [] };
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    if (m[2] !== undefined) {
      const text = normalizeText(m[2]).trim();
      if (!text) continue;
      if (m[1]) out.negatedPhrases.push(text);
      else {
        const ts = terms(text);
        out.phrases.push({ text, terms: ts });
        out.terms.push(...ts);
        out.rawPositive.push(...rawTokens(text));
      }
      continue;
    }
    let word = m[3]!;
    const negate = word.startsWith('-');
    if (negate) word = word.slice(1);
    const ts = terms(word);
    if (negate) {
      out.negated.push(...ts);
      out.rawNegative.push(...rawTokens(word));
    } else {
      out.terms.push(...ts);
      out.rawPositive.push(...rawTokens(word));
    }
  }
  out.terms = [...new Set(out.terms)];
  return out;
}

// Postings pack (document, score) into one uint32: doc * 256 + score in 1/16 steps (capped at 255/16), so an index
// holds at most 2^24 (16.7 million) documents.
const SCORE_SLOTS = 256;
const SCORE_UNIT = 16;
export const MAX_DOCS = 2 ** 24;

export class SearchIndexFullError extends Error {
  override name = 'SearchIndexFullError';
}

function pack(doc: number, score: number): number {
  if (doc >= MAX_DOCS) throw new SearchIndexFullError(`the text index holds at most ${MAX_DOCS} documents`);
  return doc * SCORE_SLOTS + Math.min(SCORE_SLOTS - 1, Math.max(1, Math.round(score * SCORE_UNIT)));
}

/** Mongo's per-field score: repeated terms count 1, 1/2, 1/4, …, scaled by how much of the field the term is. */
function scoreFields(value: unknown, acc: Map<string, number>): void {
  if (typeof value === 'string') {
    const ts = terms(value);
    if (ts.length === 0) return;
    const counts = new Map<string, number>();
    for (const t of ts) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, count] of counts) {
      const freq = 2 - 2 ** (1 - count);
      const coeff = (0.5 * count) / ts.length + 0.5;
      acc.set(t, (acc.get(t) ?? 0) + freq * coeff);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) scoreFields(v, acc);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) scoreFields(v, acc);
  }
}

/** Does any string value in the document contain `phrase` (normalized)? */
export function containsPhrase(value: unknown, phrase: string): boolean {
  if (typeof value === 'string') return normalizeText(value).includes(phrase);
  if (Array.isArray(value)) return value.some((v) => containsPhrase(v, phrase));
  if (value && typeof value === 'object') return Object.values(value).some((v) => containsPhrase(v, phrase));
  return false;
}

export interface SearchHooks {
  /** The document whose `id` field is this raw token (a tx id), if any: ids are matched without posting lists. */
  docById(token: string): number | undefined;
  /** Loads the full document (for phrase checks). */
  load(doc: number): unknown;
}

/**
 * Term → postings, on typed arrays: a term is kept as a 64-bit hash (two FNV-1a variants; a collision among a few
 * million terms has odds around 1e-7), not as a string, which halves the memory of an index full of unique serials.
 * A term with one posting keeps it inline; longer lists are growable Uint32Arrays (outside the JS heap, 4 bytes each).
 */
class TermTable {
  private hi = new Int32Array(1 << 16);
  private lo = new Int32Array(1 << 16);
  /** Packed posting (>= 0) or -(list index + 1); 0 with hi = lo = 0 means an empty slot. */
  private val = new Float64Array(1 << 16);
  private readonly lists: Uint32Array[] = [];
  private readonly listLen: number[] = [];
  size = 0;

  private static hash(term: string): [number, number] {
    let a = 0x811c9dc5 | 0;
    let b = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    if (a === 0 && b === 0) a = 1;
    return [a, b];
  }

  private slot(a: number, b: number): number {
    const mask = this.hi.length - 1;
    let i = (a ^ (b >>> 7)) & mask;
    while (this.hi[i] !== 0 || this.lo[i] !== 0) {
      if (this.hi[i] === a && this.lo[i] === b) return i;
      i = (i + 1) & mask;
    }
    return i;
  }

  private grow() {
    const { hi, lo, val } = this;
    this.hi = new Int32Array(hi.length * 2);
    this.lo = new Int32Array(hi.length * 2);
    this.val = new Float64Array(hi.length * 2);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0 && lo[i] === 0) continue;
      const j = this.slot(hi[i]!, lo[i]!);
      this.hi[j] = hi[i]!;
      this.lo[j] = lo[i]!;
      this.val[j] = val[i]!;
    }
  }

  add(term: string, posting: number) {
    const [a, b] = TermTable.hash(term);
    const i = this.slot(a, b);
    if (this.hi[i] === 0 && this.lo[i] === 0) {
      this.hi[i] = a;
      this.lo[i] = b;
      this.val[i] = posting;
      if (++this.size * 4 > this.hi.length * 3) this.grow();
      return;
    }
    const v = this.val[i]!;
    if (v >= 0) {
      const list = new Uint32Array(4);
      list[0] = v;
      list[1] = posting;
      this.lists.push(list);
      this.listLen.push(2);
      this.val[i] = -this.lists.length;
      return;
    }
    const li = -v - 1;
    let list = this.lists[li]!;
    const len = this.listLen[li]!;
    if (len === list.length) {
      const bigger = new Uint32Array(len < 1 << 16 ? len * 2 : len + (len >> 2));
      bigger.set(list);
      this.lists[li] = list = bigger;
    }
    list[len] = posting;
    this.listLen[li] = len + 1;
  }

  /** Cuts every posting list to its length. */
  trim() {
    for (let i = 0; i < this.lists.length; i++) {
      const len = this.listLen[i]!;
      if (this.lists[i]!.length > len) this.lists[i] = this.lists[i]!.slice(0, len);
    }
  }

  forEach(term: string, fn: (posting: number) => void) {
    const [a, b] = TermTable.hash(term);
    const i = this.slot(a, b);
    if (this.hi[i] === 0 && this.lo[i] === 0) return;
    const v = this.val[i]!;
    if (v >= 0) return fn(v);
    const list = this.lists[-v - 1]!;
    const len = this.listLen[-v - 1]!;
    for (let k = 0; k < len; k++) fn(list[k]!);
  }
}

/** One wildcard text index: documents are numbered by the caller (we use the tx's position in the ledger). */
export class TextIndex {
  private readonly postings = new TermTable();
  private docs = 0;

  get size(): number {
    return this.docs;
  }

  get termCount(): number {
    return this.postings.size;
  }

  /** Gives back posting-list slack, e.g. after a replay. */
  trim(): void {
    this.postings.trim();
  }

  /** Indexes every string in `value`; documents must be added in increasing `doc` order. */
  add(doc: number, value: unknown): void {
    this.docs++;
    const acc = new Map<string, number>();
    scoreFields(value, acc);
    for (const [t, score] of acc) this.postings.add(t, pack(doc, score));
  }

  private forEachPosting(term: string, fn: (doc: number, score: number) => void): void {
    this.postings.forEach(term, (p) => fn(p >>> 8, (p & 0xff) / SCORE_UNIT));
  }

  // Score accumulator indexed by document, reused across searches (only touched entries are reset), so a term
  // matching a million documents costs one pass over its postings and no per-document allocation. Float32 is exact
  // here (scores are sums of a few multiples of 1/16) and sized to the index, not doubled: 4 MB per million docs.
  private acc = new Float32Array(1024);
  /** Documents touched by the current search, in a reused buffer: a common term touches a million of them. */
  private seen = new Uint32Array(1024);

  /** Document numbers, best score first (ties in insertion order), at most `limit` (0 = all). */
  search(query: string, limit: number, hooks: SearchHooks): number[] {
    const q = parseQuery(query);
    let count = 0;
    const add = (doc: number, score: number) => {
      if (doc >= this.acc.length) {
        const next = new Float32Array(Math.max(doc + 1, this.docs + 1, Math.min(this.acc.length * 2, this.docs + 1)));
        next.set(this.acc);
        this.acc = next;
      }
      if (this.acc[doc] === 0) {
        if (count === this.seen.length) {
          const grown = new Uint32Array(Math.max(this.docs + 1, this.seen.length * 2));
          grown.set(this.seen);
          this.seen = grown;
        }
        this.seen[count++] = doc;
      }
      this.acc[doc]! += score;
    };
    const touched = () => this.seen.subarray(0, count);
    try {
      for (const t of q.terms) this.forEachPosting(t, add);
      for (const raw of q.rawPositive) {
        const doc = /^[0-9a-f]{64}$/.test(raw) ? hooks.docById(raw) : undefined;
        // An id is a one-token field of its own: Mongo scores it 1.0.
        if (doc !== undefined) add(doc, 1);
      }
      if (count === 0) return [];
      const exclude = (doc: number) => {
        if (doc < this.acc.length && this.acc[doc]! > 0) this.acc[doc] = -1;
      };
      for (const t of q.negated) this.forEachPosting(t, exclude);
      for (const raw of q.rawNegative) {
        const doc = /^[0-9a-f]{64}$/.test(raw) ? hooks.docById(raw) : undefined;
        if (doc !== undefined) exclude(doc);
      }
      const acc = this.acc;
      const better = (a: number, b: number) => acc[a]! > acc[b]! || (acc[a] === acc[b] && a < b);
      const hasPhrases = q.phrases.length > 0 || q.negatedPhrases.length > 0;
      if (limit > 0 && !hasPhrases) {
        // top-k by insertion into a small sorted array: O(n) for the usual small limits
        const top: number[] = [];
        for (const doc of touched()) {
          if (acc[doc]! <= 0) continue;
          if (top.length === limit && !better(doc, top[top.length - 1]!)) continue;
          let i = top.length < limit ? top.length : top.length - 1;
          if (top.length < limit) top.push(doc);
          while (i > 0 && better(doc, top[i - 1]!)) {
            top[i] = top[i - 1]!;
            i--;
          }
          top[i] = doc;
        }
        return top;
      }
      const ranked = Array.from(touched()).filter((d) => acc[d]! > 0).sort((a, b) => acc[b]! - acc[a]! || a - b);
      if (!hasPhrases) return limit > 0 ? ranked.slice(0, limit) : ranked;
      const filtered: number[] = [];
      for (const doc of ranked) {
        const value = hooks.load(doc);
        if (!q.phrases.every((p) => containsPhrase(value, p.text))) continue;
        if (q.negatedPhrases.some((p) => containsPhrase(value, p))) continue;
        filtered.push(doc);
        if (limit > 0 && filtered.length >= limit) break;
      }
      return filtered;
    } finally {
      for (const doc of touched()) this.acc[doc] = 0;
    }
  }
}
