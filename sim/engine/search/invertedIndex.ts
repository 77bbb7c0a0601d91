/**
 * The searchable state of one index (one shard in ES terms): per-field postings (term → documents
 * with frequencies), one-byte norms, numeric doc values and keyword doc values, over dense document
 * ordinals in indexing order (ES's `_doc` order).
 *
 * Changes are incremental: a document is added under a new ordinal and a deleted or replaced one is
 * only marked dead and its statistics taken back out. Dead entries are dropped lazily from postings
 * and, once they outnumber live documents, by renumbering everything (what Lucene's merges do).
 */
import { analyzeText, distinctTextTerms, extractFields, FieldContent, FieldExtractor } from "./extract";
import { FieldInfo, FieldTable } from "./fields";
import { Query } from "./query";
import { Bm25Scorer, encodeNorm, idf } from "./similarity";
import { IntBuffer, TermDictionary } from "./termDictionary";

/** A document as the engine stores it and search returns it. */
export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

/** Matching documents in ordinal order with their scores. */
export interface DocSet {
  docs: Int32Array;
  scores: Float32Array;
}

const EMPTY: DocSet = { docs: new Int32Array(0), scores: new Float32Array(0) };

/**
 * The positions of one text field. Each document's positions (grouped by term) take one
 * contiguous run of a block, so indexing writes them in one place and nothing is ever copied to
 * grow. An address is `block index × BLOCK_SIZE + offset`; a run longer than a block gets a block
 * of its own spanning as many block indices as it needs.
 */
class PositionArena {
  static readonly BLOCK_SIZE = 1 << 16;
  /** Block of each block index (a large block appears at each index it spans). */
  private readonly blocks: Int32Array[] = [];
  /** First block index of the block at each index. */
  private readonly firsts: number[] = [];
  private current = new Int32Array(0);
  /** Next free address in the current block, and its end. */
  private next = 0;
  private end = 0;

  /** Reserves `n` consecutive positions; returns the address of the first. */
  reserve(n: number): number {
    if (this.next + n > this.end) {
      const size = PositionArena.BLOCK_SIZE;
      const spans = Math.max(1, Math.ceil(n / size));
      const first = this.blocks.length;
      this.current = new Int32Array(spans * size);
      for (let k = 0; k < spans; k++) {
        this.blocks.push(this.current);
        this.firsts.push(first);
      }
      this.next = first * size;
      this.end = this.next + spans * size;
    }
    const address = this.next;
    this.next += n;
    return address;
  }

  /** The block holding `address`, and (through {@link offset}) where in it. */
  block(address: number): Int32Array {
    return this.blocks[Math.floor(address / PositionArena.BLOCK_SIZE)];
  }

  offset(address: number): number {
    return address - this.firsts[Math.floor(address / PositionArena.BLOCK_SIZE)] * PositionArena.BLOCK_SIZE;
  }

  /** The `n` positions at `address`. */
  view(address: number, n: number): Int32Array {
    const at = this.offset(address);
    return this.block(address).subarray(at, at + n);
  }
}

/**
 * The postings of one term in one field, in growable typed arrays (compact, and nothing for the
 * garbage collector to trace): `count` entries of document ordinal (ascending) and frequency.
 */
interface Posting {
  docs: Int32Array;
  freqs: Int32Array;
  count: number;
  /** Text fields: where each entry's positions are in the field's {@link PositionArena}. */
  posStart: Float64Array | null;
  /** Live documents among the entries; dead ordinals stay until the list is compacted. */
  live: number;
  /** Keyword-like fields: `[term]`, the doc values of every document with just this term (shared, read-only). */
  single: string[] | null;
  /** Indexing scratch: the add/remove operation that last touched the posting, and a per-document counter. */
  mark: number;
  pending: number;
}

function newPosting(withPositions: boolean): Posting {
  return {
    docs: new Int32Array(4),
    freqs: new Int32Array(4),
    count: 0,
    posStart: withPositions ? new Float64Array(4) : null,
    live: 0,
    single: null,
    mark: 0,
    pending: 0,
  };
}

function growInt32(arr: Int32Array, size: number): Int32Array {
  if (size <= arr.length) return arr;
  const next = new Int32Array(Math.max(size, arr.length * 2));
  next.set(arr);
  return next;
}

/** Appends an entry (document `ord`, `freq` occurrences, positions at `posStart` for text postings) to a posting. */
function appendEntry(p: Posting, ord: number, freq: number, posStart: number): void {
  const i = p.count;
  if (i === p.docs.length) {
    p.docs = growInt32(p.docs, i + 1);
    p.freqs = growInt32(p.freqs, i + 1);
    if (p.posStart) {
      const next = new Float64Array(p.docs.length);
      next.set(p.posStart);
      p.posStart = next;
    }
  }
  p.docs[i] = ord;
  p.freqs[i] = freq;
  if (p.posStart) p.posStart[i] = posStart;
  p.count = i + 1;
  p.live++;
}

function grow<T extends Float64Array | Uint8Array>(arr: T, size: number, make: (n: number) => T, fill?: number): T {
  if (size <= arr.length) return arr;
  const next = make(Math.max(size, arr.length * 2, 64));
  next.set(arr);
  if (fill !== undefined) next.fill(fill, arr.length);
  return next;
}

/** Per-field index structures. */
class FieldData {
  readonly postings = new Map<string, Posting>();
  /** Text fields: term ids of the analysed values, the posting of each id (once indexed), the positions. */
  private textDict?: TermDictionary;
  readonly postingById: (Posting | undefined)[] = [];
  private positionArena?: PositionArena;
  norms = new Uint8Array(0);
  /** First (or only) numeric value per document; NaN when missing. */
  numbers = new Float64Array(0);
  /** All values of documents with more than one numeric value. */
  readonly multiNumbers = new Map<number, number[]>();
  /** Keyword doc values per document (arrays may be shared between documents: read-only). */
  readonly strings: (string[] | undefined)[] = [];
  present = new Uint8Array(0);
  /** Live documents with a value (what `exists` counts). */
  presentCount = 0;
  /** Live documents with at least one indexed term (Lucene's docCount). */
  docCount = 0;
  /** Sum of field lengths (text) or of distinct terms per doc (keyword-like, indexed without freqs). */
  sumLength = 0;
  constructor(public info: FieldInfo) {}

  get dict(): TermDictionary {
    return (this.textDict ??= new TermDictionary());
  }

  get positions(): PositionArena {
    return (this.positionArena ??= new PositionArena());
  }
}

/** The inverted index of one ES index. */
export class InvertedIndex {
  private readonly fields = new Map<string, FieldData>();
  private docs: (StoredDoc | undefined)[] = [];
  private tables: (FieldTable | undefined)[] = [];
  private alive = new Uint8Array(0);
  private readonly ordById = new Map<string, number>();
  private seqNos = new Float64Array(0);
  private dead = 0;
  /** Counter of add/remove operations, stamped on postings to see each term once per document. */
  private epoch = 0;
  /** Scratch of text indexing: a field's term ids and positions, and the distinct postings of a document. */
  private readonly ids = new IntBuffer();
  private readonly positions = new IntBuffer();
  private readonly touched: Posting[] = [];
  private readonly extractor = new FieldExtractor();

  /** Number of live (searchable) documents. */
  get size(): number {
    return this.ordById.size;
  }

  /** Removes every document. */
  clear(): void {
    this.fields.clear();
    this.docs = [];
    this.tables = [];
    this.alive = new Uint8Array(0);
    this.ordById.clear();
    this.seqNos = new Float64Array(0);
    this.dead = 0;
  }

  /** Indexes `doc` (replacing any document with its id) or, with `doc === null`, deletes `id`. */
  put(id: string, doc: StoredDoc | null, table: FieldTable): void {
    const old = this.ordById.get(id);
    if (old !== undefined) this.remove(old);
    if (doc) this.add(doc, table);
  }

  /** Renumbers ordinals once dead documents outnumber live ones (amortised O(1) per change). */
  maybeCompact(): void {
    if (this.dead < 1024 || this.dead < this.ordById.size) return;
    const live: [StoredDoc, FieldTable][] = [];
    for (let ord = 0; ord < this.docs.length; ord++) if (this.alive[ord]) live.push([this.docs[ord]!, this.tables[ord]!]);
    this.clear();
    for (const [doc, table] of live) this.add(doc, table);
  }

  private fieldData(info: FieldInfo): FieldData {
    let fd = this.fields.get(info.path);
    if (!fd) {
      fd = new FieldData(info);
      this.fields.set(info.path, fd);
    } else {
      fd.info = info;
    }
    return fd;
  }

  private add(doc: StoredDoc, table: FieldTable): void {
    const ord = this.docs.length;
    this.docs.push(doc);
    this.tables.push(table);
    // (Length checks first: growing is rare, and the factory closures are then not even created.)
    if (ord >= this.alive.length) this.alive = grow(this.alive, ord + 1, (n) => new Uint8Array(n));
    this.alive[ord] = 1;
    if (ord >= this.seqNos.length) this.seqNos = grow(this.seqNos, ord + 1, (n) => new Float64Array(n), Number.NaN);
    this.seqNos[ord] = doc.seqNo;
    this.ordById.set(doc.id, ord);
    const contents = this.extractor.extract(table, doc.source);
    for (let i = 0; i < contents.length; i++) this.addField(ord, contents[i]);
  }

  private addField(ord: number, c: FieldContent): void {
    if (!c.present) return;
    const fd = this.fieldData(c.info);
    if (ord >= fd.present.length) fd.present = grow(fd.present, ord + 1, (n) => new Uint8Array(n));
    fd.present[ord] = 1;
    fd.presentCount++;
    const kind = c.info.kind;
    if (kind === "text") {
      const length = this.analyze(fd, c);
      if (length > 0) {
        this.addText(fd, ord, length);
        if (ord >= fd.norms.length) fd.norms = grow(fd.norms, ord + 1, (n) => new Uint8Array(n));
        fd.norms[ord] = encodeNorm(length);
        fd.docCount++;
        fd.sumLength += length;
      }
    } else if (c.terms.length > 0 && c.info.indexed) {
      if (c.terms.length === 1) {
        // The common single value: its doc values are the posting's shared `[term]`.
        const term = c.terms[0];
        const p = this.addPosting(fd, term, ord);
        fd.strings[ord] = p.single ?? (p.single = [term]);
        fd.docCount++;
        fd.sumLength += 1;
      } else {
        const unique = [...new Set(c.terms)];
        for (const term of unique) this.addPosting(fd, term, ord);
        fd.docCount++;
        fd.sumLength += unique.length;
        fd.strings[ord] = unique.length === 1 ? unique : unique.sort();
      }
    }
    if (c.numbers.length > 0) {
      if (ord >= fd.numbers.length) fd.numbers = grow(fd.numbers, ord + 1, (n) => new Float64Array(n), Number.NaN);
      fd.numbers[ord] = c.numbers[0];
      if (c.numbers.length > 1) fd.multiNumbers.set(ord, c.numbers.slice());
    }
  }

  /** Analyses a text field's values into the `ids` / `positions` scratch; returns the token count. */
  private analyze(fd: FieldData, c: FieldContent): number {
    this.ids.reset();
    this.positions.reset();
    if (this.touched.length > 1 << 16) this.touched.length = 0;
    analyzeText(c, fd.dict, this.ids, this.positions);
    return this.ids.length;
  }

  /** The posting of a term id of a text field, created when new. */
  private textPosting(fd: FieldData, id: number): Posting {
    const term = fd.dict.terms[id];
    let p = fd.postings.get(term);
    if (p === undefined) {
      p = newPosting(true);
      fd.postings.set(term, p);
    }
    while (fd.postingById.length <= id) fd.postingById.push(undefined);
    fd.postingById[id] = p;
    return p;
  }

  /**
   * Adds one document's tokens of a text field (the first `n` of the `ids` / `positions` scratch):
   * the frequency of each distinct term, then an entry per distinct term, then every position
   * written into its posting in token order.
   */
  private addText(fd: FieldData, ord: number, n: number): void {
    const ids = this.ids.data;
    const positions = this.positions.data;
    const byId = fd.postingById;
    const mark = ++this.epoch;
    // The scratch array keeps its length between documents (entries past the count are stale).
    const touched = this.touched;
    let distinct = 0;
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      let p = id < byId.length ? byId[id] : undefined;
      if (p === undefined) p = this.textPosting(fd, id);
      if (p.mark !== mark) {
        p.mark = mark;
        p.pending = 0;
        if (distinct < touched.length) touched[distinct] = p;
        else touched.push(p);
        distinct++;
      }
      p.pending++;
    }
    // The document's positions take `n` consecutive slots of one block, term after term.
    const arena = fd.positions;
    const address = arena.reserve(n);
    const block = arena.block(address);
    const start = arena.offset(address);
    let at = start;
    for (let t = 0; t < distinct; t++) {
      const p = touched[t];
      appendEntry(p, ord, p.pending, address + (at - start));
      // From here on `pending` is where in the block the document's next position of the term goes.
      const freq = p.pending;
      p.pending = at;
      at += freq;
    }
    for (let k = 0; k < n; k++) {
      const p = byId[ids[k]]!;
      block[p.pending++] = positions[k];
    }
  }

  private addPosting(fd: FieldData, term: string, ord: number): Posting {
    let p = fd.postings.get(term);
    if (!p) {
      p = newPosting(false);
      fd.postings.set(term, p);
    }
    appendEntry(p, ord, 1, 0);
    return p;
  }

  private remove(ord: number): void {
    const doc = this.docs[ord]!;
    for (const c of this.extractor.extract(this.tables[ord]!, doc.source)) {
      if (!c.present) continue;
      const fd = this.fields.get(c.info.path);
      if (!fd) continue;
      fd.present[ord] = 0;
      fd.presentCount--;
      if (c.info.kind === "text") {
        const length = this.analyze(fd, c);
        if (length > 0) {
          const mark = ++this.epoch;
          const ids = this.ids.data;
          for (let k = 0; k < length; k++) {
            const p = fd.postingById[ids[k]];
            if (p === undefined || p.mark === mark) continue;
            p.mark = mark;
            p.live--;
          }
          fd.docCount--;
          fd.sumLength -= length;
        }
      } else if (c.terms.length > 0 && c.info.indexed) {
        const unique = new Set(c.terms);
        for (const term of unique) fd.postings.get(term)!.live--;
        fd.docCount--;
        fd.sumLength -= unique.size;
        fd.strings[ord] = undefined;
      }
      if (c.numbers.length > 0) {
        fd.numbers[ord] = Number.NaN;
        fd.multiNumbers.delete(ord);
      }
    }
    this.alive[ord] = 0;
    this.ordById.delete(doc.id);
    this.docs[ord] = undefined;
    this.tables[ord] = undefined;
    this.dead++;
  }

  // -------------------------------------------------------------------------------------------
  // Per-document access used by sorting, hits and aggregations

  /** The stored document at an ordinal. */
  doc(ord: number): StoredDoc {
    return this.docs[ord]!;
  }

  /** All numeric values of a document for a field (empty when missing). */
  numbersOf(field: string, ord: number): number[] {
    if (field === "_seq_no") return Number.isNaN(this.seqNos[ord]) ? [] : [this.seqNos[ord]];
    const fd = this.fields.get(field);
    if (!fd || ord >= fd.numbers.length || Number.isNaN(fd.numbers[ord])) return [];
    return fd.multiNumbers.get(ord) ?? [fd.numbers[ord]];
  }

  /** Keyword doc values (sorted, distinct) of a document for a field; shared arrays, not to be modified. */
  stringsOf(field: string, ord: number): string[] {
    return this.fields.get(field)?.strings[ord] ?? [];
  }

  /** For `fielddata: true` text fields: the document's terms, sorted. */
  termsOf(field: string, ord: number): string[] {
    const doc = this.docs[ord];
    const table = this.tables[ord];
    if (!doc || !table) return [];
    const content = extractFields(table, doc.source, field).get(field);
    return content ? distinctTextTerms(content) : [];
  }

  /** Live terms of a field starting with `prefix`, sorted (match_phrase_prefix expansion). */
  termsWithPrefix(field: string, prefix: string): string[] {
    const fd = this.fields.get(field);
    if (!fd) return [];
    const out: string[] = [];
    for (const [term, p] of fd.postings) if (p.live > 0 && term.startsWith(prefix)) out.push(term);
    return out.sort();
  }

  /** Whether any live document has a value for the field. */
  hasField(field: string): boolean {
    return (this.fields.get(field)?.presentCount ?? 0) > 0;
  }

  /** Ordinals of every live document, ascending. */
  allDocs(): Int32Array {
    const out = new Int32Array(this.ordById.size);
    let n = 0;
    for (let ord = 0; ord < this.docs.length; ord++) if (this.alive[ord]) out[n++] = ord;
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Query execution

  /** Runs a query: matching live documents in ordinal order, with scores. */
  execute(q: Query): DocSet {
    switch (q.kind) {
      case "all": {
        const docs = this.allDocs();
        return { docs, scores: new Float32Array(docs.length).fill(q.boost) };
      }
      case "none":
        return EMPTY;
      case "term":
        return this.termQuery(q.field, q.term, q.boost);
      case "termSet":
        return this.constant(this.unionTerms(q.field, q.terms), q.boost);
      case "numberRange":
        return this.constant(this.numberRange(q.field, q.min, q.max), q.boost);
      case "termRange":
        return this.constant(
          this.matchingTerms(q.field, (t) => {
            if (q.lower !== undefined && (q.includeLower ? t < q.lower : t <= q.lower)) return false;
            if (q.upper !== undefined && (q.includeUpper ? t > q.upper : t >= q.upper)) return false;
            return true;
          }),
          q.boost,
        );
      case "multiTerm":
        return this.constant(this.matchingTerms(q.field, q.matches), q.boost);
      case "fuzzy":
        return this.fuzzy(q);
      case "phrase":
        return this.phrase(q.field, q.terms, q.positions, q.slop, q.boost);
      case "bool":
        return this.bool(q);
      case "disMax":
        return this.disMax(q.queries.map((sub) => this.execute(sub)), q.tieBreaker, q.boost);
      case "constant":
        return this.constant(this.execute(q.query).docs, q.boost);
      case "exists":
        return this.constant(this.exists(q.fields), q.boost);
      case "ids": {
        const ords = q.ids.map((id) => this.ordById.get(id)).filter((o): o is number => o !== undefined);
        return this.constant(Int32Array.from(new Set(ords)).sort(), q.boost);
      }
    }
  }

  private constant(docs: Int32Array, boost: number): DocSet {
    return { docs, scores: new Float32Array(docs.length).fill(boost) };
  }

  private livePosting(fd: FieldData, term: string): Posting | undefined {
    const p = fd.postings.get(term);
    if (!p || p.live === 0) return undefined;
    if (p.count > 2 * p.live + 16) {
      // Drop dead entries in place (writes never overtake reads); their positions stay in the arena
      // until the next full compaction rebuilds the index.
      const { docs, freqs, posStart } = p;
      let w = 0;
      for (let r = 0; r < p.count; r++) {
        if (!this.alive[docs[r]]) continue;
        if (posStart) posStart[w] = posStart[r];
        docs[w] = docs[r];
        freqs[w] = freqs[r];
        w++;
      }
      p.count = w;
    }
    return p;
  }

  private avgLength(fd: FieldData): number {
    return fd.docCount === 0 ? 1 : fd.sumLength / fd.docCount;
  }

  private scorer(fd: FieldData, docFreq: number, boost: number): Bm25Scorer {
    return new Bm25Scorer(boost, idf(docFreq, fd.docCount), this.avgLength(fd));
  }

  /** Norm byte of a document: text fields store it, keyword-like fields omit norms (Lucene uses 1). */
  private norm(fd: FieldData, ord: number): number {
    return fd.info.kind === "text" ? fd.norms[ord] : 1;
  }

  private termQuery(field: string, term: string, boost: number): DocSet {
    const fd = this.fields.get(field);
    const p = fd && this.livePosting(fd, term);
    if (!fd || !p) return EMPTY;
    const scorer = this.scorer(fd, p.live, boost);
    const docs = new Int32Array(p.live);
    const scores = new Float32Array(p.live);
    let n = 0;
    for (let i = 0; i < p.count; i++) {
      const ord = p.docs[i];
      if (!this.alive[ord]) continue;
      docs[n] = ord;
      scores[n] = scorer.score(p.freqs[i], this.norm(fd, ord));
      n++;
    }
    return { docs: docs.subarray(0, n), scores: scores.subarray(0, n) };
  }

  private bitmapToDocs(bits: Uint8Array): Int32Array {
    let count = 0;
    for (let i = 0; i < bits.length; i++) count += bits[i];
    const out = new Int32Array(count);
    let n = 0;
    for (let i = 0; i < bits.length; i++) if (bits[i]) out[n++] = i;
    return out;
  }

  private unionTerms(field: string, terms: Iterable<string>): Int32Array {
    const fd = this.fields.get(field);
    if (!fd) return EMPTY.docs;
    const bits = new Uint8Array(this.docs.length);
    for (const term of terms) {
      const p = this.livePosting(fd, term);
      if (!p) continue;
      for (let i = 0; i < p.count; i++) if (this.alive[p.docs[i]]) bits[p.docs[i]] = 1;
    }
    return this.bitmapToDocs(bits);
  }

  private matchingTerms(field: string, matches: (term: string) => boolean): Int32Array {
    const fd = this.fields.get(field);
    if (!fd) return EMPTY.docs;
    const terms: string[] = [];
    for (const [term, p] of fd.postings) if (p.live > 0 && matches(term)) terms.push(term);
    return this.unionTerms(field, terms);
  }

  private numberRange(field: string, min: number, max: number): Int32Array {
    const inRange = (v: number) => v >= min && v <= max;
    if (field === "_seq_no") {
      const out: number[] = [];
      for (let ord = 0; ord < this.docs.length; ord++) if (this.alive[ord] && inRange(this.seqNos[ord])) out.push(ord);
      return Int32Array.from(out);
    }
    const fd = this.fields.get(field);
    if (!fd) return EMPTY.docs;
    const out: number[] = [];
    const values = fd.numbers;
    for (let ord = 0; ord < values.length; ord++) {
      const v = values[ord];
      if (Number.isNaN(v) || !this.alive[ord]) continue;
      const multi = fd.multiNumbers.get(ord);
      if (multi ? multi.some(inRange) : inRange(v)) out.push(ord);
    }
    return Int32Array.from(out);
  }

  private exists(fields: string[]): Int32Array {
    const bits = new Uint8Array(this.docs.length);
    for (const field of fields) {
      const fd = this.fields.get(field);
      if (!fd) continue;
      for (let ord = 0; ord < fd.present.length; ord++) if (fd.present[ord] && this.alive[ord]) bits[ord] = 1;
    }
    return this.bitmapToDocs(bits);
  }

  private fuzzy(q: Extract<Query, { kind: "fuzzy" }>): DocSet {
    const fd = this.fields.get(q.field);
    if (!fd) return EMPTY;
    const prefix = q.term.slice(0, q.prefixLength);
    const candidates: { term: string; distance: number }[] = [];
    for (const [term, p] of fd.postings) {
      if (p.live === 0 || !term.startsWith(prefix)) continue;
      const distance = editDistance(q.term, term, q.maxEdits, q.transpositions);
      if (distance <= q.maxEdits) candidates.push({ term, distance });
    }
    candidates.sort((a, b) => a.distance - b.distance || (a.term < b.term ? -1 : 1));
    const sets = candidates.slice(0, q.maxExpansions).map(({ term, distance }) => {
      // FuzzyQuery boosts each expansion by its similarity: 1 − edits / min(term length, query length).
      const similarity = 1 - distance / Math.min([...term].length, [...q.term].length);
      return this.termQuery(q.field, term, q.boost * Math.max(similarity, 0));
    });
    return this.sumUnion(sets, 1);
  }

  private phrase(field: string, terms: string[], offsets: number[], slop: number, boost: number): DocSet {
    const fd = this.fields.get(field);
    if (!fd || terms.length === 0) return EMPTY;
    const postings: Posting[] = [];
    for (const term of terms) {
      const p = this.livePosting(fd, term);
      if (!p || !p.posStart) return EMPTY;
      postings.push(p);
    }
    const idfSum = [...new Set(terms)].reduce((sum, t) => sum + idf(fd.postings.get(t)!.live, fd.docCount), 0);
    const scorer = new Bm25Scorer(boost, Math.fround(idfSum), this.avgLength(fd));
    // Drive the intersection from the rarest term, advancing a cursor in every other posting list.
    let driver = 0;
    postings.forEach((p, k) => {
      if (p.live < postings[driver].live) driver = k;
    });
    const cursors = postings.map(() => 0);
    const docs: number[] = [];
    const scores: number[] = [];
    const lists: Int32Array[] = postings.map(() => new Int32Array(0));
    const driving = postings[driver];
    outer: for (let d = 0; d < driving.count; d++) {
      const ord = driving.docs[d];
      if (!this.alive[ord]) continue;
      for (let k = 0; k < postings.length; k++) {
        const p = postings[k];
        let c = cursors[k];
        while (c < p.count && p.docs[c] < ord) c++;
        cursors[k] = c;
        if (c >= p.count) break outer;
        if (p.docs[c] !== ord) continue outer;
        lists[k] = fd.positions.view(p.posStart![c], p.freqs[c]);
      }
      const freq = phraseFreq(lists, offsets, slop);
      if (freq > 0) {
        docs.push(ord);
        scores.push(scorer.score(freq, this.norm(fd, ord)));
      }
    }
    return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
  }

  /** Union where a document needs `minMatch` matching clauses; scores are summed (BooleanQuery SHOULD). */
  private sumUnion(sets: DocSet[], minMatch: number): DocSet {
    if (sets.length === 0) return EMPTY;
    if (sets.length === 1 && minMatch <= 1) return sets[0];
    const size = this.docs.length;
    const sums = new Float64Array(size);
    const counts = new Uint16Array(size);
    for (const s of sets) {
      for (let i = 0; i < s.docs.length; i++) {
        sums[s.docs[i]] += s.scores[i];
        counts[s.docs[i]]++;
      }
    }
    let n = 0;
    for (let ord = 0; ord < size; ord++) if (counts[ord] >= minMatch && counts[ord] > 0) n++;
    const docs = new Int32Array(n);
    const scores = new Float32Array(n);
    n = 0;
    for (let ord = 0; ord < size; ord++) {
      if (counts[ord] >= minMatch && counts[ord] > 0) {
        docs[n] = ord;
        scores[n] = sums[ord];
        n++;
      }
    }
    return { docs, scores };
  }

  private disMax(sets: DocSet[], tieBreaker: number, boost: number): DocSet {
    if (sets.length === 1) return boost === 1 ? sets[0] : scale(sets[0], boost);
    const size = this.docs.length;
    const max = new Float64Array(size).fill(-1);
    const sums = new Float64Array(size);
    for (const s of sets) {
      for (let i = 0; i < s.docs.length; i++) {
        const ord = s.docs[i];
        const score = s.scores[i];
        if (score > max[ord]) max[ord] = score;
        sums[ord] += score;
      }
    }
    let n = 0;
    for (let ord = 0; ord < size; ord++) if (max[ord] >= 0) n++;
    const docs = new Int32Array(n);
    const scores = new Float32Array(n);
    n = 0;
    for (let ord = 0; ord < size; ord++) {
      if (max[ord] < 0) continue;
      docs[n] = ord;
      scores[n] = (max[ord] + tieBreaker * (sums[ord] - max[ord])) * boost;
      n++;
    }
    return { docs, scores };
  }

  private bool(q: Extract<Query, { kind: "bool" }>): DocSet {
    const scoringRequired = q.must.map((sub) => this.execute(sub));
    const required: DocSet[] = [...scoringRequired];
    const filters = q.filter.map((sub) => ({ docs: this.execute(sub).docs, scores: null }));
    const hasRequired = q.must.length + q.filter.length > 0;
    let result: DocSet;
    if (!hasRequired && q.should.length === 0) {
      // A bool of only must_not clauses matches everything else (ES adds a match_all FILTER: score 0).
      const docs = this.allDocs();
      result = { docs, scores: new Float32Array(docs.length) };
    } else if (!hasRequired) {
      result = this.sumUnion(q.should.map((sub) => this.execute(sub)), Math.max(1, q.minimumShouldMatch));
    } else {
      let docs: Int32Array | undefined;
      for (const set of [...required, ...filters].sort((a, b) => a.docs.length - b.docs.length)) {
        docs = docs === undefined ? set.docs : intersectDocs(docs, set.docs);
      }
      // With must/filter present, should clauses only add score unless minimum_should_match asks for them.
      const optional = q.should.length > 0 ? this.sumUnion(q.should.map((sub) => this.execute(sub)), Math.max(1, q.minimumShouldMatch)) : undefined;
      if (optional && q.minimumShouldMatch > 0) docs = intersectDocs(docs!, optional.docs);
      result = { docs: docs!, scores: new Float32Array(docs!.length) };
      for (const set of scoringRequired) addScores(result, set);
      if (optional) addScores(result, optional);
    }
    if (q.mustNot.length > 0) {
      const excluded = new Uint8Array(this.docs.length);
      for (const sub of q.mustNot) for (const ord of this.execute(sub).docs) excluded[ord] = 1;
      result = filterOut(result, excluded);
    }
    return q.boost === 1 ? result : scale(result, q.boost);
  }
}

function scale(set: DocSet, boost: number): DocSet {
  return { docs: set.docs, scores: set.scores.map((s) => s * boost) };
}

/** Adds the scores of `other` into `target` for documents present in both (both ordinal-sorted). */
function addScores(target: DocSet, other: DocSet): void {
  let j = 0;
  for (let i = 0; i < target.docs.length && j < other.docs.length; i++) {
    const ord = target.docs[i];
    while (j < other.docs.length && other.docs[j] < ord) j++;
    if (j < other.docs.length && other.docs[j] === ord) target.scores[i] = Math.fround(target.scores[i] + other.scores[j]);
  }
}

function filterOut(set: DocSet, excluded: Uint8Array): DocSet {
  const docs: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < set.docs.length; i++) {
    if (excluded[set.docs[i]]) continue;
    docs.push(set.docs[i]);
    scores.push(set.scores[i]);
  }
  return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
}

/** Intersection of two ascending ordinal lists. */
export function intersectDocs(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out[n++] = a[i];
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out.subarray(0, n);
}

/**
 * How often a phrase occurs, given each phrase term's positions in a document. Exact phrases count occurrences; with slop, each
 * match adds 1 / (1 + distance) as Lucene's sloppy phrase scorer does, where distance is how far
 * the terms are from their expected relative positions.
 */
export function phraseFreq(lists: ArrayLike<number>[], offsets: number[], slop: number): number {
  for (const l of lists) if (l.length === 0) return 0;
  const includes = (l: ArrayLike<number>, value: number) => {
    for (let i = 0; i < l.length; i++) if (l[i] === value) return true;
    return false;
  };
  let freq = 0;
  const first = lists[0];
  for (let s = 0; s < first.length; s++) {
    const anchor = first[s] - offsets[0];
    if (slop === 0) {
      if (lists.every((l, k) => includes(l, anchor + offsets[k]))) freq++;
      continue;
    }
    let lo = 0;
    let hi = 0;
    let ok = true;
    for (let k = 1; k < lists.length; k++) {
      let best: number | undefined;
      const list = lists[k];
      for (let i = 0; i < list.length; i++) {
        const delta = list[i] - offsets[k] - anchor;
        if (best === undefined || Math.abs(delta) < Math.abs(best)) best = delta;
      }
      if (best === undefined) {
        ok = false;
        break;
      }
      lo = Math.min(lo, best);
      hi = Math.max(hi, best);
    }
    const distance = hi - lo;
    if (ok && distance <= slop) freq += 1 / (1 + distance);
  }
  return freq;
}

/** Levenshtein (optionally Damerau, adjacent transpositions) distance, giving up beyond `max`. */
export function editDistance(a: string, b: string, max: number, transpositions: boolean): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (transpositions && i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[t.length];
}
