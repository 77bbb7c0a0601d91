/**
 * The standard tokenizer's fast paths (ASCII character table, memoised Unicode classes, stretches
 * handed to the full UAX#29 path, term ids looked up by a hash computed while scanning) must
 * produce exactly what the original, straightforward implementation produced. That implementation is kept below, verbatim, as the reference, and both
 * are run on many random strings mixing ASCII, Latin-1, combining marks, CJK, Thai, emoji and lone
 * surrogates.
 */
import {
  analyzeToIds,
  simpleAnalyzer,
  standardAnalyzer,
  standardTokenize,
  stopAnalyzer,
  whitespaceAnalyzer,
  MAX_TOKEN_LENGTH,
} from "../../../../../sim/engine/search/analysis";
import { hashString, IntBuffer, TermDictionary } from "../../../../../sim/engine/search/termDictionary";
import { seededRandom } from "../../../../../cli/drill/seeded";

// ---------------------------------------------------------------------------------------------
// Reference: the standard tokenizer as first written (regex class lookups per code point).

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
function referenceTokenize(text: string): string[] {
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
          if (
            (prev === Wb.ALetter && letterMid && following === Wb.ALetter) ||
            (prev === Wb.Numeric && numberMid && following === Wb.Numeric)
          ) {
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

// ---------------------------------------------------------------------------------------------

const ASCII_WORDY = "abcxyzABCXYZ0189_:.',; \t\n-!?@/#\"";
/** Characters around every rule: mid letters/numbers, Extend/Format, ZWJ, scripts, case oddities. */
const UNICODE_PIECES = [
  "é",
  "ß",
  "Ü",
  "µ",
  "ª",
  "·",
  "\u0301",
  "\u00ad",
  "\u200d",
  "\u200b",
  "\u2019",
  "\u2018",
  "\u2024",
  "\u2027",
  "\uff0e",
  "\uff0c",
  "\u037e",
  "Σ",
  "σ",
  "İ",
  "ΑΣ",
  "Ǆ",
  "\u0660",
  "\u0661",
  "\u06f1",
  "\u203f",
  "\u2044",
  "\u00a0",
  "\u3000",
  "中",
  "文",
  "ひ",
  "ら",
  "カ",
  "タ",
  "ー",
  "\uff70",
  "ｶ",
  "ก",
  "ข",
  "\u0e31",
  "ລ",
  "ក",
  "ミャ",
  "❤",
  "\ufe0f",
  "🍵",
  "👍",
  "🏽",
  "👩‍💻",
  "😀",
  "\u{1f1e6}",
  "𝐀",
  "𝟘",
  "\u{20000}",
  "\ud800",
  "\udc00",
  "\udbff",
  "\udfff",
];

function randomString(rand: () => number, unicodeShare: number): string {
  const length = Math.floor(rand() ** 2 * 60);
  let s = "";
  for (let k = 0; k < length; k++) {
    if (rand() < unicodeShare) s += UNICODE_PIECES[Math.floor(rand() * UNICODE_PIECES.length)];
    else s += ASCII_WORDY[Math.floor(rand() * ASCII_WORDY.length)];
  }
  return s;
}

function randomCodeUnits(rand: () => number): string {
  const length = Math.floor(rand() * 40);
  const units: number[] = [];
  for (let k = 0; k < length; k++) {
    const r = rand();
    units.push(r < 0.5 ? Math.floor(rand() * 0x80) : r < 0.8 ? Math.floor(rand() * 0x3100) : Math.floor(rand() * 0x10000));
  }
  return String.fromCharCode(...units);
}

const sameList = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** One dictionary for all random strings, so lookups of known terms (not only additions) are exercised. */
const sharedDict = new TermDictionary();

/** Compares cheaply, and through `expect` (for a readable failure naming the text) only on a difference. */
function expectSameAsReference(text: string): void {
  const expected = referenceTokenize(text);
  const words = standardTokenize(text);
  if (!sameList(words, expected)) expect({ text, words }).toEqual({ text, words: expected });
  const tokens = standardAnalyzer(text);
  const terms = tokens.map((t) => t.term);
  const lowered = expected.map((w) => w.toLowerCase());
  if (!sameList(terms, lowered)) expect({ text, terms }).toEqual({ text, terms: lowered });
  const positions = tokens.map((t) => t.position);
  if (!positions.every((p, i) => p === i)) expect({ text, positions }).toEqual({ text, positions: expected.map((_, i) => i) });
  // The indexing form: term ids of a dictionary, positions shifted by a base.
  const ids = new IntBuffer();
  const idPositions = new IntBuffer();
  analyzeToIds(standardAnalyzer, text, 3, sharedDict, ids, idPositions);
  const idTerms = Array.from(ids.data.subarray(0, ids.length), (id) => sharedDict.terms[id]);
  if (!sameList(idTerms, lowered)) expect({ text, idTerms }).toEqual({ text, idTerms: lowered });
  const shifted = Array.from(idPositions.data.subarray(0, idPositions.length));
  if (!shifted.every((p, i) => p === i + 3) || shifted.length !== lowered.length)
    expect({ text, shifted }).toEqual({ text, shifted: lowered.map((_, i) => i + 3) });
}

describe("standard tokenizer fast paths agree with the full UAX#29 reference", () => {
  test.each(
    [
      "",
      "a",
      "A",
      "_",
      "__",
      "_a",
      "a_",
      "1_a",
      "a'",
      "'a",
      "a'b",
      "a''b",
      "a:b",
      "a::b",
      "a.b.c",
      "a.",
      "1.2",
      "1,2",
      "1;2",
      "1:2",
      "a,b",
      "a;b",
      "1.a",
      "a.1",
      "1'2",
      "x'1",
      "Can't STOP",
      "e.g.",
      "U.S.A.",
      "3.14.15",
      "1,000.50",
      "foo_bar:baz.qux'quux",
      "café",
      "CAFÉ",
      "naïve x",
      "a\u0301b",
      "a\u0301",
      "\u0301a",
      "a\u200db",
      "a\u00adb",
      "a·b",
      "a\u2019b",
      "1\uff0c2",
      "e\u0301.x",
      "x.é",
      "é.x",
      "x'é",
      "é'x",
      "ΑΣ",
      "ΑΣ.Β",
      "ΑΣ..Β",
      "ΟΔΟΣ ΟΔΟΣ",
      "İstanbul",
      "ǄUNGLA",
      "\u0661\u0662.\u0663",
      "中文字",
      "ひらがな",
      "カタカナ text",
      "ｶﾀｶﾅ",
      "ภาษาไทย abc",
      "I ❤ tea 🍵",
      "👩‍💻 dev",
      "👍🏽",
      "❤\ufe0f",
      "𝐀𝐁𝐂 𝟘𝟙",
      "\ud800",
      "\udc00",
      "\ud800a",
      "\ud800 b",
      "a\ud800b",
      "é\ud800a b",
      "x\udc00y",
      "\ud83d\ude00x",
      "x".repeat(600),
      "É".repeat(300),
      "a".repeat(254) + "é" + "b".repeat(10),
      "Σ".repeat(256) + " x",
      "a".repeat(255) + "\u{1f600}",
      "1".repeat(300) + ".5",
      "word ".repeat(100),
      "_".repeat(300) + "a",
    ].map((text) => [JSON.stringify(text).length > 40 ? `${JSON.stringify(text).slice(0, 37)}…` : JSON.stringify(text), text]),
  )("%s", (_label, text) => expectSameAsReference(text));

  test("random ASCII strings", () => {
    const rand = seededRandom(1);
    for (let k = 0; k < 20_000; k++) expectSameAsReference(randomString(rand, 0));
  });

  test("random mostly-ASCII strings with Unicode sprinkled in", () => {
    const rand = seededRandom(2);
    for (let k = 0; k < 20_000; k++) expectSameAsReference(randomString(rand, 0.08));
  });

  test("random mostly-Unicode strings", () => {
    const rand = seededRandom(3);
    for (let k = 0; k < 10_000; k++) expectSameAsReference(randomString(rand, 0.7));
  });

  test("random UTF-16 code units, lone surrogates included", () => {
    const rand = seededRandom(4);
    for (let k = 0; k < 10_000; k++) expectSameAsReference(randomCodeUnits(rand));
  });

  test("long words split at the maximum token length whatever their script", () => {
    const rand = seededRandom(5);
    for (let k = 0; k < 200; k++) {
      const word = randomString(rand, 0.3).replace(/[^A-Za-z0-9é]/g, "") + "x";
      const text = `${word.repeat(Math.ceil((MAX_TOKEN_LENGTH * (1 + rand() * 2)) / word.length))} tail`;
      expectSameAsReference(text);
    }
  });
});

describe("analyzeToIds and the term dictionary", () => {
  const termsOf = (dict: TermDictionary, ids: IntBuffer) => Array.from(ids.data.subarray(0, ids.length), (id) => dict.terms[id]);

  test("standard: lowercased terms as ids, positions shifted by the base, appended", () => {
    const dict = new TermDictionary();
    const ids = new IntBuffer();
    const positions = new IntBuffer();
    ids.push(dict.idOf("kept"));
    positions.push(7);
    analyzeToIds(standardAnalyzer, "The Quick fox THE the", 10, dict, ids, positions);
    expect(termsOf(dict, ids)).toEqual(["kept", "the", "quick", "fox", "the", "the"]);
    expect(Array.from(positions.data.subarray(0, positions.length))).toEqual([7, 10, 11, 12, 13, 14]);
    // One id per distinct term, whichever way it was spelled or reached.
    expect(dict.terms).toEqual(["kept", "the", "quick", "fox"]);
    expect(dict.idOf("quick")).toBe(2);
  });

  test("other analyzers: their own terms and positions (stop words leave holes)", () => {
    for (const analyzer of [simpleAnalyzer, stopAnalyzer, whitespaceAnalyzer, standardAnalyzer]) {
      const text = "The cat and THE hat, 3 o'clock";
      const dict = new TermDictionary();
      const ids = new IntBuffer();
      const positions = new IntBuffer();
      analyzeToIds(analyzer, text, 5, dict, ids, positions);
      const tokens = analyzer(text);
      expect(termsOf(dict, ids)).toEqual(tokens.map((t) => t.term));
      expect(Array.from(positions.data.subarray(0, positions.length))).toEqual(tokens.map((t) => t.position + 5));
    }
  });

  test("letter-only words: found through the trie, whatever their case, also past the trie's capacity", () => {
    const dict = new TermDictionary();
    const rand = seededRandom(6);
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const words = Array.from({ length: 6000 }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 9) }, () => letters[Math.floor(rand() * 26)]).join(""),
    );
    for (let round = 0; round < 2; round++) {
      for (let start = 0; start < words.length; start += 100) {
        const text = words
          .slice(start, start + 100)
          .map((w) => (rand() < 0.3 ? w.toUpperCase() : rand() < 0.3 ? w[0].toUpperCase() + w.slice(1) : w))
          .join(rand() < 0.5 ? " " : ", ");
        const ids = new IntBuffer();
        const positions = new IntBuffer();
        analyzeToIds(standardAnalyzer, text, 0, dict, ids, positions);
        expect(termsOf(dict, ids)).toEqual(standardAnalyzer(text).map((t) => t.term));
      }
    }
    expect(dict.size).toBe(new Set(words).size);
    // Prefixes and extensions of known words are other terms.
    const ids = new IntBuffer();
    analyzeToIds(standardAnalyzer, `${words[0]}x ${words[0].slice(0, -1)} ${words[0]}`, 0, dict, ids, new IntBuffer());
    expect(termsOf(dict, ids)).toEqual([`${words[0]}x`, words[0].slice(0, -1), words[0]].filter((w) => w !== ""));
  });

  test("ids are dense and stable across growth; ASCII lookups fold capitals and tell terms apart", () => {
    const dict = new TermDictionary();
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    words.forEach((w, i) => expect(dict.idOf(w)).toBe(i));
    words.forEach((w, i) => expect(dict.idOf(w)).toBe(i));
    expect(dict.size).toBe(5000);
    const text = "xx W1A w1a w1b zzz";
    expect(dict.findAscii(text, 3, 6, hashString("w1a"), true)).toBe(words.indexOf("w1a"));
    expect(dict.findAscii(text, 7, 10, hashString("w1a"), false)).toBe(words.indexOf("w1a"));
    expect(dict.findAscii(text, 3, 6, hashString("w1a"), false)).toBe(-1);
    expect(dict.findAscii(text, 15, 18, hashString("zzz"), false)).toBe(-1);
    // Same hash, different term: never confused.
    expect(dict.findAscii(text, 11, 14, hashString("w1a"), false)).toBe(-1);
  });
});
