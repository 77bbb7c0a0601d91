/**
 * What one document contributes to each field's index: text values (analysed by {@link analyzeText})
 * for text fields, terms for keyword-like fields, numbers for numeric/date/boolean fields. Used when
 * a document is indexed and again when it is deleted (to take its contribution back out), so both
 * sides agree exactly.
 */
import { analyzeToIds } from "./analysis";
import { FieldInfo, FieldTable } from "./fields";
import { FieldValueError, toBoolean, toDate, toIp, toNumber, toText } from "./fieldValues";
import { IntBuffer, TermDictionary } from "./termDictionary";

/** The indexable content of one field of one document. */
export interface FieldContent {
  info: FieldInfo;
  /** Text fields: the values as text, in order (see {@link analyzeText}). */
  texts: string[];
  /** Keyword-like fields: indexed terms (one per value, duplicates kept). */
  terms: string[];
  /** Numeric, date and boolean fields: values (booleans as 0/1). */
  numbers: number[];
  /** Whether the document has a non-null value for the field (what `exists` matches). */
  present: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function emptyContent(info: FieldInfo): FieldContent {
  return { info, texts: [], terms: [], numbers: [], present: false };
}

function addValue(content: FieldContent, value: unknown): void {
  const info = content.info;
  try {
    switch (info.kind) {
      case "text": {
        content.texts.push(toText(value));
        content.present = true;
        return;
      }
      case "keyword": {
        const text = toText(value);
        if (text.length > info.ignoreAbove) return;
        content.terms.push(info.normalizer ? info.normalizer(text) : text);
        content.present = true;
        return;
      }
      case "ip":
        content.terms.push(toIp(value));
        content.present = true;
        return;
      case "number": {
        const n = toNumber(info.type, value, info.coerce, info.scalingFactor);
        if (n === undefined) return;
        content.numbers.push(n);
        content.present = true;
        return;
      }
      case "date":
        content.numbers.push(toDate(value, info.dateFormat));
        content.present = true;
        return;
      case "boolean": {
        const b = toBoolean(value);
        if (b === undefined) return;
        content.numbers.push(b ? 1 : 0);
        content.terms.push(b ? "T" : "F");
        content.present = true;
        return;
      }
      case "opaque":
        content.present = true;
        return;
    }
  } catch (e) {
    // Values were validated when the document was indexed; what still fails is ignore_malformed.
    if (!(e instanceof FieldValueError)) throw e;
  }
}

/**
 * Extracts the per-field content of documents, reusing one {@link FieldContent} (and its arrays)
 * per field path from one document to the next: the indexing path extracts every document it
 * adds or removes, and the contents are consumed before the next extraction.
 */
export class FieldExtractor {
  /** The content of each field path, with the extraction it was last reset for (those of the current one are in `used`). */
  private readonly byPath = new Map<string, { content: FieldContent; generation: number }>();
  private generation = 0;
  private readonly used: FieldContent[] = [];
  private table!: FieldTable;
  private only: string | undefined;

  /**
   * The contents of the fields of `source` under `table`, in the order fields are first met, valid
   * until the next call. With `only`, just that field is extracted.
   */
  extract(table: FieldTable, source: Record<string, unknown>, only?: string): readonly FieldContent[] {
    this.table = table;
    this.only = only;
    this.generation++;
    this.used.length = 0;
    // Object.keys and reads: the same fields in the same order as Object.entries, without a pair per field.
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) this.visit(keys[i], source[keys[i]]);
    return this.used;
  }

  private visit(path: string, value: unknown): void {
    if (Array.isArray(value)) {
      for (const el of value) this.visit(path, el);
      return;
    }
    const table = this.table;
    const info = table.fields.get(path);
    if (isPlainObject(value) && (!info || info.kind !== "opaque")) {
      if (table.objects.get(path)?.enabled === false) return;
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) this.visit(`${path}.${keys[i]}`, value[keys[i]]);
      return;
    }
    if (!info) return;
    const v = value === null || value === undefined ? info.nullValue : value;
    if (v === null || v === undefined) return;
    this.emit(info, v);
    const subs = info.multiFields;
    for (let i = 0; i < subs.length; i++) this.emit(subs[i], v);
  }

  private emit(info: FieldInfo, value: unknown): void {
    if (this.only !== undefined && info.path !== this.only) return;
    let slot = this.byPath.get(info.path);
    if (slot === undefined) {
      slot = { content: emptyContent(info), generation: 0 };
      this.byPath.set(info.path, slot);
    }
    const content = slot.content;
    if (slot.generation !== this.generation) {
      slot.generation = this.generation;
      content.info = info;
      content.texts.length = 0;
      content.terms.length = 0;
      content.numbers.length = 0;
      content.present = false;
      this.used.push(content);
    }
    addValue(content, value);
  }
}

/**
 * The per-field content of a document under a field table, as a fresh map (contents not shared).
 * With `only`, just that field is extracted.
 */
export function extractFields(table: FieldTable, source: Record<string, unknown>, only?: string): Map<string, FieldContent> {
  const out = new Map<string, FieldContent>();
  for (const content of new FieldExtractor().extract(table, source, only)) out.set(content.info.path, content);
  return out;
}

/**
 * The tokens of a text field's values (its index analyzer), as term ids of `dict` appended to
 * `ids` with their positions in `positions` (both empty on entry): positions continue across
 * values, each value starting `position_increment_gap` after the last token of the one before.
 */
export function analyzeText(content: FieldContent, dict: TermDictionary, ids: IntBuffer, positions: IntBuffer): void {
  const info = content.info;
  for (const text of content.texts) {
    const base = positions.length > 0 ? positions.last() + info.positionIncrementGap + 1 : 0;
    analyzeToIds(info.analyzer, text, base, dict, ids, positions);
  }
}

/** The distinct terms of a text field's values, sorted. */
export function distinctTextTerms(content: FieldContent): string[] {
  const terms = new Set<string>();
  for (const text of content.texts) for (const t of content.info.analyzer(text)) terms.add(t.term);
  return [...terms].sort();
}
