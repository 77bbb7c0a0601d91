/**
 * Term ids for the indexing path: a per-field dictionary from term to a dense id, which the
 * standard tokenizer queries with a range of the analysed text (walking a trie of letter-only terms
 * as it scans, or by hash), so a term seen before costs neither a new string nor a string hash.
 */

/** A growable list of int32 values (term ids, positions) that is reused between documents. */
export class IntBuffer {
  data = new Int32Array(256);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** Appends `start`, `start + 1`, … `start + count - 1`. */
  pushRange(start: number, count: number): void {
    if (this.length + count > this.data.length) {
      const next = new Int32Array(Math.max(this.data.length * 2, this.length + count));
      next.set(this.data);
      this.data = next;
    }
    const data = this.data;
    for (let k = 0; k < count; k++) data[this.length + k] = start + k;
    this.length += count;
  }

  /** Empties the list, dropping storage grown past `limit` values (by one huge document). */
  reset(limit = 1 << 16): void {
    this.length = 0;
    if (this.data.length > limit) this.data = new Int32Array(256);
  }

  /** The last value pushed (the list must not be empty). */
  last(): number {
    return this.data[this.length - 1];
  }
}

/** One step of the term hash over UTF-16 code units; callers start from 0. */
export function hashStep(h: number, code: number): number {
  return (Math.imul(h, 31) + code) | 0;
}

/** Final mixing of a term hash before it picks a slot. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/** The hash of a whole string, as {@link hashStep} over its code units. */
export function hashString(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = hashStep(h, s.charCodeAt(k));
  return h;
}

/** Most trie nodes a dictionary keeps (26 ints each): the first few thousand letter-only terms. */
const TRIE_MAX_NODES = 1 << 12;

/**
 * Terms of one field with dense ids in first-seen order. Open addressing with linear probing; each
 * slot holds the term's hash, id + 1 (0 = empty), and where its characters are in one shared code
 * unit array, so a lookup touches the slot and the characters and nothing else.
 *
 * Terms made only of the letters a–z are also in a trie, which the standard tokenizer walks while
 * it scans a word (see analysis.ts), so a known word needs neither a hash nor a comparison.
 */
export class TermDictionary {
  /** Term of each id. */
  readonly terms: string[] = [];
  /** The trie: `trie[node * 26 + letter]` is the child of `node` (0 = none; node 0 is the root). */
  trie = new Int32Array(26 * 16);
  /** Id of the term ending at each trie node, or -1. */
  trieTerms = new Int32Array(16).fill(-1);
  private trieNodes = 1;
  /** Slots of 4 ints: hash, id + 1, start of the characters in `chars`, length. */
  private table = new Int32Array(4 * 32);
  private mask = 31;
  /** The UTF-16 code units of every term, back to back. */
  private chars = new Uint16Array(256);
  private used = 0;

  get size(): number {
    return this.terms.length;
  }

  /**
   * The id of the term spelled by `text[from, to)` (ASCII only), with ASCII capitals lowercased
   * when `fold`, or -1. `hash` is {@link hashStep} over the (lowercased) characters.
   */
  findAscii(text: string, from: number, to: number, hash: number, fold: boolean): number {
    const length = to - from;
    const table = this.table;
    const chars = this.chars;
    const mask = this.mask;
    for (let slot = mix(hash) & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 2;
      const entry = table[at + 1];
      if (entry === 0) return -1;
      if (table[at] !== hash || table[at + 3] !== length) continue;
      const start = table[at + 2];
      let k = 0;
      if (fold) {
        for (; k < length; k++) {
          let c = text.charCodeAt(from + k);
          if (c >= 0x41 && c <= 0x5a) c |= 0x20;
          if (chars[start + k] !== c) break;
        }
      } else {
        for (; k < length; k++) if (chars[start + k] !== text.charCodeAt(from + k)) break;
      }
      if (k === length) return entry - 1;
    }
  }

  /** The id of `term`, adding it when new. `hash` must be {@link hashString} of it, when known. */
  idOf(term: string, hash: number = hashString(term)): number {
    const table = this.table;
    const mask = this.mask;
    const length = term.length;
    let slot = mix(hash) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const at = slot << 2;
      const entry = table[at + 1];
      if (entry === 0) break;
      if (table[at] === hash && table[at + 3] === length && this.terms[entry - 1] === term) return entry - 1;
    }
    const id = this.terms.length;
    this.terms.push(term);
    if (this.used + length > this.chars.length) {
      const chars = new Uint16Array(Math.max(2 * this.chars.length, this.used + length));
      chars.set(this.chars);
      this.chars = chars;
    }
    for (let k = 0; k < length; k++) this.chars[this.used + k] = term.charCodeAt(k);
    const at = slot << 2;
    table[at] = hash;
    table[at + 1] = id + 1;
    table[at + 2] = this.used;
    table[at + 3] = length;
    this.used += length;
    this.trieInsert(term, id);
    // Keep the table at most half full.
    if (2 * this.terms.length > this.mask + 1) this.rehash(2 * (this.mask + 1));
    return id;
  }

  /** Adds a term of letters a–z to the trie (while the trie has room). */
  private trieInsert(term: string, id: number): void {
    for (let k = 0; k < term.length; k++) {
      const c = term.charCodeAt(k);
      if (c < 0x61 || c > 0x7a) return;
    }
    if (term.length === 0 || this.trieNodes + term.length > TRIE_MAX_NODES) return;
    let node = 0;
    for (let k = 0; k < term.length; k++) {
      const at = node * 26 + term.charCodeAt(k) - 0x61;
      let child = this.trie[at];
      if (child === 0) {
        child = this.trieNodes++;
        if (child === this.trieTerms.length) {
          const trie = new Int32Array(this.trie.length * 2);
          trie.set(this.trie);
          this.trie = trie;
          const terms = new Int32Array(this.trieTerms.length * 2).fill(-1);
          terms.set(this.trieTerms);
          this.trieTerms = terms;
        }
        this.trie[at] = child;
      }
      node = child;
    }
    this.trieTerms[node] = id;
  }

  private rehash(size: number): void {
    const old = this.table;
    const table = new Int32Array(4 * size);
    const mask = size - 1;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue;
      let slot = mix(old[at]) & mask;
      while (table[(slot << 2) + 1] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(at, at + 4), slot << 2);
    }
    this.table = table;
    this.mask = mask;
  }
}
