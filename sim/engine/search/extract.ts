/**
 * What one document contributes to each field's index: analysed tokens for text fields, terms for
 * keyword-like fields, numbers for numeric/date/boolean fields. Used when a document is indexed and
 * again when it is deleted (to take its contribution back out), so both sides agree exactly.
 */
import { Token } from "./analysis";
import { FieldInfo, FieldTable } from "./fields";
import { FieldValueError, toBoolean, toDate, toIp, toNumber, toText } from "./fieldValues";

/** The indexable content of one field of one document. */
export interface FieldContent {
  info: FieldInfo;
  /** Text: analysed tokens of all values, positions continuing across values with the position gap. */
  tokens: Token[];
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
  return { info, tokens: [], terms: [], numbers: [], present: false };
}

function addValue(content: FieldContent, value: unknown): void {
  const info = content.info;
  try {
    switch (info.kind) {
      case "text": {
        const text = toText(value);
        const last = content.tokens.length ? content.tokens[content.tokens.length - 1].position : -1;
        const base = content.tokens.length ? last + info.positionIncrementGap + 1 : 0;
        for (const t of info.analyzer(text)) content.tokens.push({ term: t.term, position: base + t.position });
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
 * The per-field content of a document under a field table. With `only`, just that field is
 * extracted (phrase queries re-read positions this way instead of storing them).
 */
export function extractFields(table: FieldTable, source: Record<string, unknown>, only?: string): Map<string, FieldContent> {
  const out = new Map<string, FieldContent>();
  const emit = (info: FieldInfo, value: unknown) => {
    if (only !== undefined && info.path !== only) return;
    let content = out.get(info.path);
    if (!content) {
      content = emptyContent(info);
      out.set(info.path, content);
    }
    addValue(content, value);
  };
  const visit = (path: string, value: unknown): void => {
    if (Array.isArray(value)) {
      for (const el of value) visit(path, el);
      return;
    }
    const info = table.fields.get(path);
    if (isPlainObject(value) && (!info || info.kind !== "opaque")) {
      if (table.objects.get(path)?.enabled === false) return;
      for (const [k, v] of Object.entries(value)) visit(`${path}.${k}`, v);
      return;
    }
    if (!info) return;
    const v = value === null || value === undefined ? info.nullValue : value;
    if (v === null || v === undefined) return;
    emit(info, v);
    for (const sub of info.multiFields) emit(sub, v);
  };
  for (const [k, v] of Object.entries(source)) visit(k, v);
  return out;
}
