/**
 * Text analysis as Elasticsearch's built-in analyzers do it: `standard` (Lucene's StandardTokenizer,
 * i.e. UAX#29 word boundaries, then lowercase), `simple`, `whitespace`, `stop` and `keyword`.
 *
 * Every analyzer returns tokens with their position, because phrase queries and field lengths
 * (BM25 norms) both depend on positions exactly as Lucene counts them.
 */

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

/**
 * Splits text into words the way Lucene's StandardTokenizer does: letters and digits join,
 * `_` joins, `'` `.` `:` join letters on both sides, `.` `,` `;` join digits on both sides,
 * Han and Hiragana characters are single-character words, Thai-like scripts and Katakana form runs,
 * emoji are words. Punctuation-only runs produce nothing. Words longer than 255 are split.
 */
export function standardTokenize(text: string): string[] {
  const cps: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      cps.push(text.codePointAt(i)!);
      i++;
    } else {
      cps.push(c);
    }
  }
  const classes = cps.map(classify);
  const words: string[] = [];
  const n = cps.length;
  let i = 0;
  const extendPast = (j: number): number => {
    while (j < n && (classes[j] === Wb.Extend || classes[j] === Wb.Zwj)) j++;
    return j;
  };
  while (i < n) {
    const cls = classes[i];
    let end: number;
    if (cls === Wb.Ideographic || cls === Wb.Hiragana) {
      end = extendPast(i + 1);
    } else if (cls === Wb.SoutheastAsian) {
      end = i + 1;
      while (end < n && (classes[end] === Wb.SoutheastAsian || classes[end] === Wb.Extend)) end++;
    } else if (cls === Wb.Emoji) {
      end = extendPast(i + 1);
      while (end < n && classes[end - 1] === Wb.Zwj && classes[end] === Wb.Emoji) end = extendPast(end + 1);
    } else if (cls === Wb.ALetter || cls === Wb.Numeric || cls === Wb.Katakana || cls === Wb.ExtendNumLet) {
      let prev: Wb = cls;
      let hasWordChar = cls !== Wb.ExtendNumLet;
      end = extendPast(i + 1);
      for (;;) {
        if (end >= n) break;
        const next = classes[end];
        if (joins(prev, next)) {
          prev = next;
          if (next !== Wb.ExtendNumLet) hasWordChar = true;
          end = extendPast(end + 1);
          continue;
        }
        const afterMid = extendPast(end + 1);
        if (afterMid < n) {
          const following = classes[afterMid];
          const letterMid = next === Wb.MidLetter || next === Wb.MidNumLet;
          const numberMid = next === Wb.MidNum || next === Wb.MidNumLet;
          if ((prev === Wb.ALetter && letterMid && following === Wb.ALetter) || (prev === Wb.Numeric && numberMid && following === Wb.Numeric)) {
            prev = following;
            end = extendPast(afterMid + 1);
            continue;
          }
        }
        break;
      }
      if (!hasWordChar) {
        i = end;
        continue;
      }
    } else {
      i++;
      continue;
    }
    pushSplit(words, String.fromCodePoint(...cps.slice(i, end)));
    i = end;
  }
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
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on",
  "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
]);

const lower = (s: string) => s.toLowerCase();

/** The `standard` analyzer: standard tokenizer + lowercase, no stop words (ES's default). */
export const standardAnalyzer: Analyzer = (text) => positioned(standardTokenize(text).map(lower));

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
  "pattern", "fingerprint", "english", "french", "german", "spanish", "italian", "portuguese", "dutch", "russian",
  "arabic", "cjk", "chinese", "smartcn", "kuromoji", "nori", "icu_analyzer", "snowball", "language",
]);

/** The analyzer registered under `name`, or undefined when es-sim has none by that name. */
export function analyzerByName(name: string): Analyzer | undefined {
  return BUILT_IN[name];
}

/** Keyword normalizers: ES ships `lowercase`; a keyword without normalizer indexes values verbatim. */
export function normalizerByName(name: string): ((s: string) => string) | undefined {
  return name === "lowercase" ? lower : undefined;
}
