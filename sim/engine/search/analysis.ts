/**
 * Text analysis as Elasticsearch's built-in analyzers do it: `standard` (Lucene's StandardTokenizer,
 * i.e. UAX#29 word boundaries, then lowercase), `simple`, `whitespace`, `stop` and `keyword`.
 *
 * Every analyzer returns tokens with their position, because phrase queries and field lengths
 * (BM25 norms) both depend on positions exactly as Lucene counts them.
 */

import { IntBuffer, TermDictionary } from "./termDictionary";

/** One token out of an analyzer: the indexed term and its position within the analysed value. */
export interface Token {
  term: string;
  position: number;
}

/** An analyzer: text → tokens, positions starting at 0. */
export type Analyzer = (text: string) => Token[];

/** StandardTokenizer's default `max_token_length`: longer words are split at this many characters. */
export const MAX_TOKEN_LENGTH = 255;

/** Word-break classes of UAX#29 that the standard tokenizer distinguishes. */
const enum Wb {
  Other,
  ALetter,
  Numeric,
  Katakana,
  ExtendNumLet,
  MidLetter,
  MidNum,
  MidNumLet,
  Extend,
  Ideographic,
  Hiragana,
  SoutheastAsian,
  Emoji,
  Zwj,
}

const HAN = /\p{Script=Han}/u;
const HIRAGANA = /\p{Script=Hiragana}/u;
const KATAKANA = /[\p{Script=Katakana}\u30fc\uff70]/u;
const SOUTHEAST_ASIAN = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}]/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const EXTEND = /[\p{M}\p{Cf}]/u;
const CONNECTOR = /\p{Pc}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const MID_LETTER = new Set([0x3a, 0xb7, 0x387, 0x55f, 0x5f4, 0x2027, 0xfe13, 0xfe55, 0xff1a]);
const MID_NUM_LET = new Set([0x27, 0x2e, 0x2018, 0x2019, 0x2024, 0xfe52, 0xff07, 0xff0e]);
const MID_NUM = new Set([0x2c, 0x3b, 0x37e, 0x589, 0x60c, 0x60d, 0x66c, 0x7f8, 0x2044, 0xfe10, 0xfe14, 0xfe50, 0xfe54, 0xff0c, 0xff1b]);

function classify(cp: number): Wb {
  if (cp < 0x80) {
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) return Wb.ALetter;
    if (cp >= 0x30 && cp <= 0x39) return Wb.Numeric;
    if (cp === 0x5f) return Wb.ExtendNumLet;
    if (cp === 0x3a) return Wb.MidLetter;
    if (cp === 0x2e || cp === 0x27) return Wb.MidNumLet;
    if (cp === 0x2c || cp === 0x3b) return Wb.MidNum;
    return Wb.Other;
  }
  if (cp === 0x200d) return Wb.Zwj;
  if (MID_LETTER.has(cp)) return Wb.MidLetter;
  if (MID_NUM_LET.has(cp)) return Wb.MidNumLet;
  if (MID_NUM.has(cp)) return Wb.MidNum;
  const ch = String.fromCodePoint(cp);
  if (EXTEND.test(ch)) return Wb.Extend;
  if (HAN.test(ch)) return Wb.Ideographic;
  if (HIRAGANA.test(ch)) return Wb.Hiragana;
  if (KATAKANA.test(ch)) return Wb.Katakana;
  if (SOUTHEAST_ASIAN.test(ch)) return Wb.SoutheastAsian;
  if (LETTER.test(ch)) return Wb.ALetter;
  if (DIGIT.test(ch)) return Wb.Numeric;
  if (CONNECTOR.test(ch)) return Wb.ExtendNumLet;
  if (PICTOGRAPHIC.test(ch)) return Wb.Emoji;
  return Wb.Other;
}

/** Which classes may directly follow `prev` inside one word (UAX#29 WB5, WB8–WB10, WB13, WB13a/b). */
function joins(prev: Wb, next: Wb): boolean {
  switch (next) {
    case Wb.ALetter:
    case Wb.Numeric:
      return prev === Wb.ALetter || prev === Wb.Numeric || prev === Wb.ExtendNumLet;
    case Wb.Katakana:
      return prev === Wb.Katakana || prev === Wb.ExtendNumLet;
    case Wb.ExtendNumLet:
      return prev === Wb.ALetter || prev === Wb.Numeric || prev === Wb.Katakana || prev === Wb.ExtendNumLet;
    default:
      return false;
  }
}

/** Class of every code point seen so far: BMP in a table (0 = not yet classified, else class + 1), the rest in a map. */
const BMP_CLASS = new Uint8Array(0x10000);
const ASTRAL_CLASS = new Map<number, Wb>();

/** {@link classify}, memoised: the regex property lookups run once per distinct code point. */
function classOf(cp: number): Wb {
  if (cp < 0x10000) {
    const cached = BMP_CLASS[cp];
    if (cached !== 0) return cached - 1;
    const cls = classify(cp);
    BMP_CLASS[cp] = cls + 1;
    return cls;
  }
  let cls = ASTRAL_CLASS.get(cp);
  if (cls === undefined) {
    cls = classify(cp);
    ASTRAL_CLASS.set(cp, cls);
  }
  return cls;
}

/**
 * What the ASCII fast path needs to know of a character below 0x80 (its UAX#29 class, and case).
 * Every character of kind {@link A_BREAK} is `Wb.Other`: no word can contain it, and no word
 * boundary decision looks through it (no ASCII character is Extend or ZWJ), so tokenization splits
 * independently on either side of one. That is what lets the fast path hand a stretch of non-ASCII
 * text to the full UAX#29 path and carry on after it.
 */
const A_BREAK = 0;
const A_LOWER = 1;
const A_UPPER = 2;
const A_DIGIT = 3;
const A_UNDERSCORE = 4;
const A_MID_LETTER = 5;
const A_MID_NUM_LET = 6;
const A_MID_NUM = 7;
const ASCII_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_KIND[c] =
    c >= 0x61 && c <= 0x7a
      ? A_LOWER
      : c >= 0x41 && c <= 0x5a
        ? A_UPPER
        : c >= 0x30 && c <= 0x39
          ? A_DIGIT
          : c === 0x5f
            ? A_UNDERSCORE
            : c === 0x3a
              ? A_MID_LETTER
              : c === 0x2e || c === 0x27
                ? A_MID_NUM_LET
                : c === 0x2c || c === 0x3b
                  ? A_MID_NUM
                  : A_BREAK;
}

/**
 * Where the standard tokenizer puts its words: as strings into `strings` or, for indexing, as ids
 * of `dict` into `ids` (lowercase mode only).
 */
interface WordOut {
  strings: string[] | null;
  dict: TermDictionary | null;
  ids: IntBuffer | null;
}

function emitWord(out: WordOut, word: string): void {
  if (out.dict !== null) out.ids!.push(out.dict.idOf(word));
  else out.strings!.push(word);
}

/**
 * Scratch buffers of the full path: class and UTF-16 start offset of each code point of a stretch.
 * Kept up to {@link SCRATCH_MAX} code units; a longer stretch gets buffers of its own.
 */
const SCRATCH_MAX = 1 << 16;
let scratchClasses = new Uint8Array(256);
let scratchOffsets = new Int32Array(257);

/** Index of the first ASCII break character at or after `from` (or `text.length`). */
function breakAtOrAfter(text: string, from: number): number {
  const n = text.length;
  for (let j = from; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x80 && ASCII_KIND[c] === A_BREAK) return j;
  }
  return n;
}

/**
 * The full UAX#29 word-break algorithm over `text[start, end)`, where `start` is where a scan of
 * the whole text stands (not inside a word) and `end` is an ASCII break character or the end of the
 * text. Appends the words (split at {@link MAX_TOKEN_LENGTH}, then lowercased when asked) to `out`.
 */
function tokenizeStretch(text: string, start: number, end: number, lower: boolean, out: WordOut): void {
  const size = end - start;
  if (size > scratchClasses.length && size <= SCRATCH_MAX) {
    scratchClasses = new Uint8Array(Math.min(2 * size, SCRATCH_MAX));
    scratchOffsets = new Int32Array(scratchClasses.length + 1);
  }
  const classes = size <= scratchClasses.length ? scratchClasses : new Uint8Array(size);
  const offsets = size <= scratchClasses.length ? scratchOffsets : new Int32Array(size + 1);
  let n = 0;
  for (let i = start; i < end; i++) {
    offsets[n] = i;
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      classes[n++] = classify(c);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      // codePointAt gives a high surrogate not followed by a low one as itself; the first
      // implementation then skipped the code unit after it all the same, and so does this one.
      classes[n++] = classOf(text.codePointAt(i)!);
      i++;
    } else {
      classes[n++] = classOf(c);
    }
  }
  offsets[n] = end;
  const extendPast = (j: number): number => {
    while (j < n && (classes[j] === Wb.Extend || classes[j] === Wb.Zwj)) j++;
    return j;
  };
  let i = 0;
  while (i < n) {
    const cls = classes[i];
    let wordEnd: number;
    if (cls === Wb.Ideographic || cls === Wb.Hiragana) {
      wordEnd = extendPast(i + 1);
    } else if (cls === Wb.SoutheastAsian) {
      wordEnd = i + 1;
      while (wordEnd < n && (classes[wordEnd] === Wb.SoutheastAsian || classes[wordEnd] === Wb.Extend)) wordEnd++;
    } else if (cls === Wb.Emoji) {
      wordEnd = extendPast(i + 1);
      while (wordEnd < n && classes[wordEnd - 1] === Wb.Zwj && classes[wordEnd] === Wb.Emoji) wordEnd = extendPast(wordEnd + 1);
    } else if (cls === Wb.ALetter || cls === Wb.Numeric || cls === Wb.Katakana || cls === Wb.ExtendNumLet) {
      let prev: Wb = cls;
      let hasWordChar = cls !== Wb.ExtendNumLet;
      wordEnd = extendPast(i + 1);
      for (;;) {
        if (wordEnd >= n) break;
        const next = classes[wordEnd];
        if (joins(prev, next)) {
          prev = next;
          if (next !== Wb.ExtendNumLet) hasWordChar = true;
          wordEnd = extendPast(wordEnd + 1);
          continue;
        }
        const afterMid = extendPast(wordEnd + 1);
        if (afterMid < n) {
          const following = classes[afterMid];
          const letterMid = next === Wb.MidLetter || next === Wb.MidNumLet;
          const numberMid = next === Wb.MidNum || next === Wb.MidNumLet;
          if (
            (prev === Wb.ALetter && letterMid && following === Wb.ALetter) ||
            (prev === Wb.Numeric && numberMid && following === Wb.Numeric)
          ) {
            prev = following;
            wordEnd = extendPast(afterMid + 1);
            continue;
          }
        }
        break;
      }
      if (!hasWordChar) {
        i = wordEnd;
        continue;
      }
    } else {
      i++;
      continue;
    }
    // A word holds only whole code points, contiguous in the text: slice it out.
    const from = offsets[i];
    const to = offsets[wordEnd];
    if (to - from <= MAX_TOKEN_LENGTH) {
      const word = text.slice(from, to);
      emitWord(out, lower ? word.toLowerCase() : word);
    } else {
      for (let k = from; k < to; k += MAX_TOKEN_LENGTH) {
        const piece = text.slice(k, Math.min(k + MAX_TOKEN_LENGTH, to));
        emitWord(out, lower ? piece.toLowerCase() : piece);
      }
    }
    i = wordEnd;
  }
}

/** The trie of "no dictionary": no node has children, so every walk dies at once. */
const NO_TRIE = new Int32Array(26);

/**
 * The standard tokenizer, appending to `out` (lowercased with `lower`, as the standard analyzer's
 * lowercase filter does). ASCII text is scanned with a character table; any word that touches a
 * non-ASCII character is handed, with the text up to the next ASCII break character, to the full
 * UAX#29 path ({@link tokenizeStretch}). Both produce exactly the words of the UAX#29 rules.
 *
 * In dictionary mode, a word of ASCII letters is looked up while it is scanned, by walking the
 * dictionary's trie of known letter-only terms (case folded); any other word, or one the trie does
 * not know, is looked up by hash.
 */
function tokenizeInto(text: string, lower: boolean, out: WordOut): void {
  const n = text.length;
  const dict = out.dict;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const stretchEnd = breakAtOrAfter(text, i + 1);
      tokenizeStretch(text, i, stretchEnd, lower, out);
      i = stretchEnd;
      continue;
    }
    const kind = ASCII_KIND[c];
    if (kind === A_BREAK || kind >= A_MID_LETTER) {
      i++;
      continue;
    }
    // A word starts at i: letters, digits and `_` join; `:` `.` `'` join letters, `.` `,` `;` digits.
    let prev = kind;
    let upper = kind === A_UPPER;
    let hasWordChar = kind !== A_UNDERSCORE;
    // Trie node of the word so far (0: none; the trie is re-read per word, as adding terms may replace it).
    const trie = dict !== null ? dict.trie : NO_TRIE;
    let node = kind <= A_UPPER ? trie[(c | 0x20) - 0x61] : 0;
    let end = i + 1;
    let nonAscii = false;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d >= 0x80) {
        nonAscii = true;
        break;
      }
      const next = ASCII_KIND[d];
      if (next === A_BREAK) break;
      if (next <= A_UPPER) {
        if (next === A_UPPER) upper = true;
        if (node !== 0) node = trie[node * 26 + (d | 0x20) - 0x61];
        hasWordChar = true;
        prev = next;
        end++;
        continue;
      }
      if (next <= A_UNDERSCORE) {
        node = 0;
        if (next === A_DIGIT) hasWordChar = true;
        prev = next;
        end++;
        continue;
      }
      // A mid character: it joins only between two letters (MidLetter, MidNumLet) or two digits (MidNum, MidNumLet).
      if (end + 1 >= n) break;
      const f = text.charCodeAt(end + 1);
      if (f >= 0x80) {
        nonAscii = true;
        break;
      }
      const following = ASCII_KIND[f];
      if ((prev === A_LOWER || prev === A_UPPER) && next !== A_MID_NUM && (following === A_LOWER || following === A_UPPER)) {
        if (following === A_UPPER) upper = true;
        node = 0;
        prev = following;
        end += 2;
        continue;
      }
      if (prev === A_DIGIT && next !== A_MID_LETTER && following === A_DIGIT) {
        end += 2;
        continue;
      }
      break;
    }
    if (nonAscii) {
      // The word may go on through non-ASCII letters or marks: let the full path decide from its start.
      const stretchEnd = breakAtOrAfter(text, end);
      tokenizeStretch(text, i, stretchEnd, lower, out);
      i = stretchEnd;
      continue;
    }
    if (hasWordChar) {
      if (end - i > MAX_TOKEN_LENGTH) {
        for (let k = i; k < end; k += MAX_TOKEN_LENGTH) {
          const piece = text.slice(k, Math.min(k + MAX_TOKEN_LENGTH, end));
          emitWord(out, lower && upper ? piece.toLowerCase() : piece);
        }
      } else if (dict !== null) {
        // Dictionary mode is lowercase mode.
        let id = node !== 0 ? dict.trieTerms[node] : -1;
        if (id < 0) {
          // The term hash over the lowercased word (termDictionary's hashStep, written out).
          let hash = 0;
          for (let k = i; k < end; k++) {
            const code = text.charCodeAt(k);
            hash = (Math.imul(hash, 31) + (code >= 0x41 && code <= 0x5a ? code | 0x20 : code)) | 0;
          }
          id = dict.findAscii(text, i, end, hash, upper);
          if (id < 0) {
            const word = text.slice(i, end);
            id = dict.idOf(upper ? word.toLowerCase() : word, hash);
          }
        }
        out.ids!.push(id);
      } else {
        const word = text.slice(i, end);
        out.strings!.push(lower && upper ? word.toLowerCase() : word);
      }
    }
    i = end;
  }
}

/**
 * Splits text into words the way Lucene's StandardTokenizer does: letters and digits join,
 * `_` joins, `'` `.` `:` join letters on both sides, `.` `,` `;` join digits on both sides,
 * Han and Hiragana characters are single-character words, Thai-like scripts and Katakana form runs,
 * emoji are words. Punctuation-only runs produce nothing. Words longer than 255 are split.
 */
export function standardTokenize(text: string): string[] {
  const words: string[] = [];
  tokenizeInto(text, false, { strings: words, dict: null, ids: null });
  return words;
}

function pushSplit(out: string[], word: string): void {
  if (word.length <= MAX_TOKEN_LENGTH) {
    out.push(word);
    return;
  }
  for (let i = 0; i < word.length; i += MAX_TOKEN_LENGTH) out.push(word.slice(i, i + MAX_TOKEN_LENGTH));
}

function positioned(terms: string[]): Token[] {
  return terms.map((term, position) => ({ term, position }));
}

/** Lucene's EnglishAnalyzer/StopAnalyzer default stop set, used by the `stop` analyzer. */
const ENGLISH_STOP_WORDS = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "will",
  "with",
]);

const lower = (s: string) => s.toLowerCase();

/** The `standard` analyzer: standard tokenizer + lowercase, no stop words (ES's default). */
export const standardAnalyzer: Analyzer = (text) => {
  const terms: string[] = [];
  tokenizeInto(text, true, { strings: terms, dict: null, ids: null });
  return positioned(terms);
};

/** The `keyword` analyzer: the whole value is one token. */
export const keywordAnalyzer: Analyzer = (text) => [{ term: text, position: 0 }];

/** The `whitespace` analyzer: split on whitespace, no lowercasing. */
export const whitespaceAnalyzer: Analyzer = (text) => {
  const out: string[] = [];
  for (const word of text.split(/\s+/u)) if (word) pushSplit(out, word);
  return positioned(out);
};

/** The `simple` analyzer: runs of letters, lowercased. */
export const simpleAnalyzer: Analyzer = (text) => {
  const out: string[] = [];
  for (const word of text.match(/\p{L}+/gu) ?? []) pushSplit(out, word.toLowerCase());
  return positioned(out);
};

/**
 * The `stop` analyzer: `simple` minus English stop words. Removed words still take a position,
 * as Lucene's StopFilter leaves a position gap, so phrase queries see the hole.
 */
export const stopAnalyzer: Analyzer = (text) => {
  const out: Token[] = [];
  let position = 0;
  for (const word of text.match(/\p{L}+/gu) ?? []) {
    const term = word.toLowerCase();
    if (!ENGLISH_STOP_WORDS.has(term)) out.push({ term, position });
    position++;
  }
  return out;
};

const BUILT_IN: Record<string, Analyzer> = {
  standard: standardAnalyzer,
  default: standardAnalyzer,
  keyword: keywordAnalyzer,
  whitespace: whitespaceAnalyzer,
  simple: simpleAnalyzer,
  stop: stopAnalyzer,
};

/** Built-in analyzers of ES that es-sim does not implement (language analyzers, `pattern`, `fingerprint`). */
export const UNSUPPORTED_BUILT_IN_ANALYZERS = new Set([
  "pattern",
  "fingerprint",
  "english",
  "french",
  "german",
  "spanish",
  "italian",
  "portuguese",
  "dutch",
  "russian",
  "arabic",
  "cjk",
  "chinese",
  "smartcn",
  "kuromoji",
  "nori",
  "icu_analyzer",
  "snowball",
  "language",
]);

/** The analyzer registered under `name`, or undefined when es-sim has none by that name. */
export function analyzerByName(name: string): Analyzer | undefined {
  return BUILT_IN[name];
}

/** Keyword normalizers: ES ships `lowercase`; a keyword without normalizer indexes values verbatim. */
export function normalizerByName(name: string): ((s: string) => string) | undefined {
  return name === "lowercase" ? lower : undefined;
}

/**
 * Appends what `analyzer` makes of `text` as term ids of `dict` (adding new terms) to `ids`, with
 * positions shifted by `base` to `positions`: the indexing path's form of `analyzer(text)`, with no
 * Token object per term and, for the standard analyzer, no string for a term `dict` already has.
 */
export function analyzeToIds(
  analyzer: Analyzer,
  text: string,
  base: number,
  dict: TermDictionary,
  ids: IntBuffer,
  positions: IntBuffer,
): void {
  if (analyzer === standardAnalyzer) {
    const first = ids.length;
    tokenizeInto(text, true, { strings: null, dict, ids });
    positions.pushRange(base, ids.length - first);
    return;
  }
  for (const t of analyzer(text)) {
    ids.push(dict.idOf(t.term));
    positions.push(base + t.position);
  }
}
