/**
 * Index names: ES's validation rules (`MetadataCreateIndexService.validateIndexOrAliasName`) and
 * the index-expression resolver (`IndexNameExpressionResolver`): comma lists, `_all`, wildcards,
 * `-` exclusions, aliases, `expand_wildcards`, `ignore_unavailable`, `allow_no_indices`.
 */
import { errors } from "./errors";

/** Longest index name in UTF-8 bytes (`MetadataCreateIndexService.MAX_INDEX_NAME_BYTES`). */
export const MAX_INDEX_NAME_BYTES = 255;

/** `Strings.INVALID_FILENAME_CHARS` as ES 8 prints it: the sorted set, each char quoted. */
const INVALID_CHARS = [" ", '"', "*", ",", "/", "<", ">", "?", "\\", "|"];
const INVALID_CHARS_TEXT = `[${INVALID_CHARS.map((c) => `'${c}'`).join(",")}]`;

/**
 * Throws `invalid_index_name_exception` with ES's reason when `name` is not a valid index name.
 * Checks run in ES's order, so the first broken rule is the one reported.
 */
export function validateIndexName(name: string): void {
  if (name.length === 0) throw errors.invalidIndexName(name, "must not be empty");
  if (INVALID_CHARS.some((c) => name.includes(c))) {
    throw errors.invalidIndexName(name, `must not contain the following characters ${INVALID_CHARS_TEXT}`);
  }
  if (name.includes("#")) throw errors.invalidIndexName(name, "must not contain '#'");
  if (name.includes(":")) throw errors.invalidIndexName(name, "must not contain ':'");
  if (name[0] === "_" || name[0] === "-" || name[0] === "+") {
    throw errors.invalidIndexName(name, "must not start with '_', '-', or '+'");
  }
  const byteCount = Buffer.byteLength(name, "utf8");
  if (byteCount > MAX_INDEX_NAME_BYTES) {
    throw errors.invalidIndexName(name, `index name is too long, (${byteCount} > ${MAX_INDEX_NAME_BYTES})`);
  }
  if (name === "." || name === "..") throw errors.invalidIndexName(name, "must not be '.' or '..'");
  if (name.toLowerCase() !== name) throw errors.invalidIndexName(name, "must be lowercase");
}

/** Whether an expression contains a simple wildcard. */
export function isWildcard(expr: string): boolean {
  return expr.includes("*");
}

/** Simple `*` glob match, as ES's `Regex.simpleMatch`. */
export function simpleMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`);
  return re.test(value);
}

function escapeRegex(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** What the resolver needs to know about an index. */
export interface ResolvableIndex {
  name: string;
  uuid: string;
  open: boolean;
  hidden: boolean;
  aliases: string[];
  /** The data stream the index backs: the stream's name resolves to its backing indices. */
  dataStream?: string;
  /** Whether that data stream is hidden (wildcards match a visible stream's hidden backing indices). */
  dataStreamHidden?: boolean;
}

/** Options of an index expression (`IndicesOptions`). */
export interface ResolveOptions {
  ignoreUnavailable?: boolean;
  allowNoIndices?: boolean;
  /** Which index states wildcards expand to: `open`, `closed`, `hidden`, `all`, `none`. */
  expandWildcards?: string[];
  /** Explicitly named closed indices are an error (search, count, doc reads). */
  forbidClosed?: boolean;
  /**
   * Whether aliases resolve (true unless the API takes only concrete indices: ES's `ignoreAliases`,
   * where a named alias is refused and wildcards match index names only).
   */
  allowAliases?: boolean;
}

/** Parses `expand_wildcards` (`open,hidden`), defaulting to `open`. */
export function parseExpandWildcards(value: string | undefined, fallback: string[] = ["open"]): string[] {
  if (value === undefined) return fallback;
  const parts = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of parts) {
    if (!["open", "closed", "hidden", "all", "none"].includes(p)) {
      throw errors.illegalArgument(`No enum constant org.elasticsearch.action.support.IndicesOptions.WildcardStates.${p.toUpperCase()}`);
    }
  }
  return parts;
}

/**
 * Resolves an index expression to concrete index names, in the order they were named (wildcard
 * matches sorted), without duplicates. Throws `index_not_found_exception` for a missing explicit
 * name (unless `ignoreUnavailable`) and for an expression resolving to nothing when
 * `allowNoIndices` is false; `index_closed_exception` for an explicit closed index when `forbidClosed`.
 */
export function resolveIndices(expression: string | undefined, indices: ResolvableIndex[], options: ResolveOptions = {}): string[] {
  const expand = options.expandWildcards ?? ["open"];
  const all = expand.includes("all");
  const wantOpen = all || expand.includes("open");
  const wantClosed = all || expand.includes("closed");
  const wantHidden = all || expand.includes("hidden");
  const allowNoIndices = options.allowNoIndices ?? true;
  const allowAliases = options.allowAliases ?? true;
  const byName = new Map(indices.map((i) => [i.name, i]));

  const matchesState = (i: ResolvableIndex) => (i.open ? wantOpen : wantClosed) && (!i.hidden || wantHidden);
  // IndexNameExpressionResolver: a wildcard matching a data stream takes its backing indices
  // (hidden as they are) when the stream itself is visible or hidden ones are asked for
  const streamMatchesState = (i: ResolvableIndex) =>
    i.dataStream !== undefined && allowAliases && (i.open ? wantOpen : wantClosed) && (!i.dataStreamHidden || wantHidden);
  const result: string[] = [];
  const add = (name: string) => {
    if (!result.includes(name)) result.push(name);
  };

  const parts = expression === undefined || expression === "" ? ["_all"] : expression.split(",").map((s) => s.trim());
  let sawWildcard = false;
  for (const part of parts) {
    if (part === "") continue;
    if (part === "_all" || part === "*") {
      sawWildcard = true;
      for (const i of [...indices].sort((a, b) => a.name.localeCompare(b.name))) if (matchesState(i) || streamMatchesState(i)) add(i.name);
      continue;
    }
    if (part.startsWith("-") && sawWildcard) {
      const pattern = part.slice(1);
      for (const name of [...result]) {
        if (simpleMatch(pattern, name)) result.splice(result.indexOf(name), 1);
      }
      continue;
    }
    if (isWildcard(part)) {
      sawWildcard = true;
      const matched = new Set<string>();
      for (const i of indices) {
        if (simpleMatch(part, i.name) && matchesState(i)) matched.add(i.name);
        if (allowAliases) for (const a of i.aliases) if (simpleMatch(part, a) && matchesState(i)) matched.add(i.name);
        if (streamMatchesState(i) && simpleMatch(part, i.dataStream!)) matched.add(i.name);
      }
      const sorted = [...matched].sort();
      if (sorted.length === 0 && !allowNoIndices) throw errors.indexNotFound(part);
      sorted.forEach(add);
      continue;
    }
    const concrete = byName.get(part);
    if (concrete) {
      if (!concrete.open && options.forbidClosed) {
        if (options.ignoreUnavailable) continue;
        throw errors.indexClosed(concrete.name, concrete.uuid);
      }
      add(concrete.name);
      continue;
    }
    if (!allowAliases && indices.some((i) => i.aliases.includes(part))) {
      // IndexNameExpressionResolver.ensureAliasOrIndexExists: with `ignoreAliases` (delete index,
      // the index side of alias actions) an alias is an unavailable index, refused unless
      // ignore_unavailable, rather than a missing one.
      if (options.ignoreUnavailable) continue;
      throw errors.aliasesNotSupported(part);
    }
    const aliased = allowAliases ? indices.filter((i) => i.aliases.includes(part) || i.dataStream === part) : [];
    if (aliased.length > 0) {
      for (const i of aliased) {
        if (!i.open && options.forbidClosed) {
          if (options.ignoreUnavailable) continue;
          throw errors.indexClosed(i.name, i.uuid);
        }
        add(i.name);
      }
      continue;
    }
    if (!options.ignoreUnavailable) throw errors.indexNotFound(part);
  }
  if (result.length === 0 && !allowNoIndices) throw errors.indexNotFound(expression ?? "_all");
  return result;
}
