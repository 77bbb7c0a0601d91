/**
 * The searchable state of one index (one shard in ES terms): per-field postings (term → documents
 * with frequencies), one-byte norms, numeric doc values and keyword doc values (`postings.ts`),
 * over dense document ordinals in indexing order (ES's `_doc` order). Queries run over it in
 * `queryExecution.ts`.
 *
 * Changes are incremental and come in generations, as Lucene's refresh opens a new point-in-time
 * reader: {@link InvertedIndex.stage} indexes a change under a new ordinal that searches do not see
 * (its ordinal is `STAGED`, its statistics kept aside), a replaced or deleted document stays live
 * and its statistics' change is kept aside too, and {@link InvertedIndex.publish} makes the whole
 * generation visible at once in time proportional to what it touched (ordinal states, counters).
 * Staging can therefore be spread over many event-loop turns while searches keep answering from
 * the previous refresh point. Dead entries are dropped lazily from postings and, once they
 * outnumber live documents, by building the index anew (`compactionDue`, what Lucene's merges do).
 */
import { analyzeText, distinctTextTerms, extractFields, FieldContent, FieldExtractor } from "./extract";
import { FieldInfo, FieldTable } from "./fields";
import { appendEntry, FieldData, grow, newPosting, type Posting } from "./postings";
import { encodeNorm } from "./similarity";
import { IntBuffer } from "./termDictionary";

/** Ordinal states in `alive`: deleted or replaced, searchable, indexed for a generation not yet published. */
const DEAD = 0;
const LIVE = 1;
const STAGED = 2;

/** A document as the engine stores it and search returns it. */
export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
  /** `_routing`, shown in hits as `_routing`. */
  routing?: string;
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
  /** Number of the generation being staged; bumped by every publish and clear. */
  private generation = 0;
  /** What the generation being staged touched: new ordinals, removed ordinals (with their fields), postings and fields whose counts change. */
  private stagedOrds: number[] = [];
  private stagedRemovals: { ord: number; fields: FieldData[] }[] = [];
  private stagedPostings: Posting[] = [];
  private stagedFields: FieldData[] = [];
  /** Scratch of text indexing: a field's term ids and positions, and the distinct postings of a document. */
  private readonly ids = new IntBuffer();
  private readonly positions = new IntBuffer();
  private readonly touched: Posting[] = [];
  private readonly extractor = new FieldExtractor();

  /** Number of live (searchable) documents. */
  get size(): number {
    return this.ordById.size;
  }

  /** Removes every document (and whatever was staged). */
  clear(): void {
    this.fields.clear();
    this.docs = [];
    this.tables = [];
    this.alive = new Uint8Array(0);
    this.ordById.clear();
    this.seqNos = new Float64Array(0);
    this.dead = 0;
    this.dropStaged();
  }

  private dropStaged(): void {
    this.generation++;
    this.stagedOrds = [];
    this.stagedRemovals = [];
    this.stagedPostings = [];
    this.stagedFields = [];
  }

  /**
   * Stages a change for the next generation: indexes `doc` under a new, not yet searchable ordinal
   * and/or takes the visible document with its id out of the next generation (`doc === null`
   * deletes). Each id at most once per generation.
   */
  stage(id: string, doc: StoredDoc | null, table: FieldTable): void {
    const old = this.ordById.get(id);
    if (old !== undefined) this.stageRemoval(old);
    if (doc) this.add(doc, table);
  }

  /**
   * Makes the staged generation the visible one: removed documents die, staged ones go live, the
   * statistics take the staged changes. Cost: what the generation touched, not what it indexed.
   */
  publish(): void {
    for (const { ord, fields } of this.stagedRemovals) {
      for (const fd of fields) {
        fd.present[ord] = 0;
        fd.strings[ord] = undefined;
        if (ord < fd.numbers.length) fd.numbers[ord] = Number.NaN;
        fd.multiNumbers.delete(ord);
      }
      this.alive[ord] = DEAD;
      this.ordById.delete(this.docs[ord]!.id);
      this.docs[ord] = undefined;
      this.tables[ord] = undefined;
      this.dead++;
    }
    for (const ord of this.stagedOrds) {
      this.alive[ord] = LIVE;
      this.ordById.set(this.docs[ord]!.id, ord);
    }
    for (const p of this.stagedPostings) {
      p.live += p.staged;
      p.staged = 0;
    }
    for (const fd of this.stagedFields) {
      fd.presentCount += fd.stagedPresent;
      fd.docCount += fd.stagedDocCount;
      fd.sumLength += fd.stagedSumLength;
      fd.stagedPresent = fd.stagedDocCount = fd.stagedSumLength = 0;
    }
    this.dropStaged();
  }

  /** Once dead documents outnumber live ones, the next generation is better built anew (amortised O(1) per change). */
  get compactionDue(): boolean {
    return this.dead >= 1024 && this.dead >= this.ordById.size;
  }

  /** The visible documents in ordinal order, with the field table each was indexed with (to build the index anew). */
  *liveDocs(): Generator<[StoredDoc, FieldTable]> {
    for (let ord = 0; ord < this.docs.length; ord++) if (this.alive[ord] === LIVE) yield [this.docs[ord]!, this.tables[ord]!];
  }

  private stagePosting(p: Posting, delta: number): void {
    if (p.stagedIn !== this.generation) {
      p.stagedIn = this.generation;
      this.stagedPostings.push(p);
    }
    p.staged += delta;
  }

  private stageField(fd: FieldData): FieldData {
    if (fd.stagedIn !== this.generation) {
      fd.stagedIn = this.generation;
      this.stagedFields.push(fd);
    }
    return fd;
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
    this.alive[ord] = STAGED;
    if (ord >= this.seqNos.length) this.seqNos = grow(this.seqNos, ord + 1, (n) => new Float64Array(n), Number.NaN);
    this.seqNos[ord] = doc.seqNo;
    this.stagedOrds.push(ord);
    const contents = this.extractor.extract(table, doc.source);
    for (let i = 0; i < contents.length; i++) this.addField(ord, contents[i]);
  }

  private addField(ord: number, c: FieldContent): void {
    if (!c.present) return;
    const fd = this.fieldData(c.info);
    if (ord >= fd.present.length) fd.present = grow(fd.present, ord + 1, (n) => new Uint8Array(n));
    fd.present[ord] = 1;
    this.stageField(fd).stagedPresent++;
    const kind = c.info.kind;
    if (kind === "text") {
      const length = this.analyze(fd, c);
      if (length > 0) {
        this.addText(fd, ord, length);
        if (ord >= fd.norms.length) fd.norms = grow(fd.norms, ord + 1, (n) => new Uint8Array(n));
        fd.norms[ord] = encodeNorm(length);
        fd.stagedDocCount++;
        fd.stagedSumLength += length;
      }
    } else if (c.terms.length > 0 && c.info.indexed) {
      if (c.terms.length === 1) {
        // The common single value: its doc values are the posting's shared `[term]`.
        const term = c.terms[0];
        const p = this.addPosting(fd, term, ord);
        fd.strings[ord] = p.single ?? (p.single = [term]);
        fd.stagedDocCount++;
        fd.stagedSumLength += 1;
      } else {
        const unique = [...new Set(c.terms)];
        for (const term of unique) this.addPosting(fd, term, ord);
        fd.stagedDocCount++;
        fd.stagedSumLength += unique.length;
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
      this.stagePosting(p, 1);
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
    this.stagePosting(p, 1);
    return p;
  }

  /**
   * Takes a visible document out of the next generation: its statistics' change is staged, and it
   * stays searchable (with its doc values) until the generation is published.
   */
  private stageRemoval(ord: number): void {
    const doc = this.docs[ord]!;
    const fields: FieldData[] = [];
    for (const c of this.extractor.extract(this.tables[ord]!, doc.source)) {
      if (!c.present) continue;
      const fd = this.fields.get(c.info.path);
      if (!fd) continue;
      fields.push(fd);
      this.stageField(fd).stagedPresent--;
      if (c.info.kind === "text") {
        const length = this.analyze(fd, c);
        if (length > 0) {
          const mark = ++this.epoch;
          const ids = this.ids.data;
          for (let k = 0; k < length; k++) {
            const p = fd.postingById[ids[k]];
            if (p === undefined || p.mark === mark) continue;
            p.mark = mark;
            this.stagePosting(p, -1);
          }
          fd.stagedDocCount--;
          fd.stagedSumLength -= length;
        }
      } else if (c.terms.length > 0 && c.info.indexed) {
        const unique = new Set(c.terms);
        for (const term of unique) this.stagePosting(fd.postings.get(term)!, -1);
        fd.stagedDocCount--;
        fd.stagedSumLength -= unique.size;
      }
    }
    this.stagedRemovals.push({ ord, fields });
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
    for (let ord = 0; ord < this.docs.length; ord++) if (this.alive[ord] === LIVE) out[n++] = ord;
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Reading, for query execution

  /** One past the highest ordinal ever assigned (dead ones included): the size of per-ordinal arrays. */
  get maxOrd(): number {
    return this.docs.length;
  }

  /** Whether the document at an ordinal is live: visible (not staged), neither deleted nor replaced. */
  isLive(ord: number): boolean {
    return this.alive[ord] === LIVE;
  }

  /** `_seq_no` of the document at an ordinal; NaN for an ordinal never assigned. */
  seqNo(ord: number): number {
    return this.seqNos[ord];
  }

  /** The ordinal of a live document id, or undefined. */
  ordOf(id: string): number | undefined {
    return this.ordById.get(id);
  }

  /** The index structures of a field, or undefined when no document ever had it. */
  field(path: string): FieldData | undefined {
    return this.fields.get(path);
  }

  /**
   * The posting of a term with live entries, or undefined. Dead entries are compacted away first
   * when they outnumber the live ones (Lucene skips deleted documents; es-sim drops them lazily).
   */
  livePosting(fd: FieldData, term: string): Posting | undefined {
    const p = fd.postings.get(term);
    if (!p || p.live === 0) return undefined;
    if (p.count > 2 * p.live + 16) {
      // Drop dead entries in place (writes never overtake reads; staged entries stay); their
      // positions stay in the arena until the next full compaction rebuilds the index.
      const { docs, freqs, posStart } = p;
      let w = 0;
      for (let r = 0; r < p.count; r++) {
        if (this.alive[docs[r]] === DEAD) continue;
        if (posStart) posStart[w] = posStart[r];
        docs[w] = docs[r];
        freqs[w] = freqs[r];
        w++;
      }
      p.count = w;
    }
    return p;
  }
}
