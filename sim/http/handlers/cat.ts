/**
 * `GET /_cat/indices` rendered as ES's `RestTable`: columns declared with their aliases,
 * descriptions, alignment and default visibility (`RestIndicesAction.getTableWithHeader`); `h`
 * (names, aliases, wildcards; unknown names dropped as ES drops them), `s` (names or aliases, `:asc` /
 * `:desc`), `v`, `help`, `bytes`, `pri`, text (aligned) and `format=json`.
 */
import { catIndices } from "../../engine/actions/stats";
import { errors } from "../../engine/errors";
import { simpleMatch } from "../../engine/names";
import { EXPRESSION_PARAMS, type Reply, type RequestContext, type RouteDef } from "../context";

const CAT_PARAMS = ["format", "h", "help", "v", "s", "bytes", "time", "local", "master_timeout"];

/** One column of a cat table, as `Table.addCell(name, "alias:…;default:…;text-align:…;desc:…")` declares it. */
export interface CatColumn {
  name: string;
  aliases: string[];
  desc: string;
  /** `text-align:right` (numbers and sizes). */
  right?: boolean;
  /** `default:false`: shown only when named in `h`. */
  hidden?: boolean;
  /** `sibling:pri`: `pri=true` adds the `pri.<name>` column next to it. */
  sibling?: string;
  /** Rendered as a byte size (`ByteSizeValue`, affected by `bytes=`). */
  size?: boolean;
}

const col = (name: string, aliases: string, desc: string, extra: Partial<CatColumn> = {}): CatColumn => ({
  name,
  aliases: aliases ? aliases.split(",") : [],
  desc,
  ...extra,
});
const num = { right: true };
const stat = { right: true, hidden: true, sibling: "pri" };

/**
 * The columns of `_cat/indices` es-sim fills, with RestIndicesAction's names, aliases and texts.
 * ES has further default:false columns (caches, segments, fielddata, …) es-sim has no data for; see
 * docs/known-gaps.md.
 */
export const INDEX_COLUMNS: CatColumn[] = [
  col("health", "h", "current health status"),
  col("status", "s", "open/close status"),
  col("index", "i,idx", "index name"),
  col("uuid", "id,uuid", "index uuid"),
  col("pri", "p,shards.primary,shardsPrimary", "number of primary shards", num),
  col("rep", "r,shards.replica,shardsReplica", "number of replica shards", num),
  col("docs.count", "dc,docsCount", "available docs", num),
  col("docs.deleted", "dd,docsDeleted", "deleted docs", num),
  col("creation.date", "cd", "index creation date (millisecond value)", { hidden: true }),
  col("creation.date.string", "cds", "index creation date (as string)", { hidden: true }),
  col("store.size", "ss,storeSize", "store size of primaries & replicas", { right: true, sibling: "pri", size: true }),
  col("pri.store.size", "", "store size of primaries", { right: true, size: true }),
  col("flush.total", "ft,flushTotal", "number of flushes", stat),
  col("pri.flush.total", "", "number of flushes", { right: true, hidden: true }),
  col("get.total", "gto,getTotal", "number of get ops", stat),
  col("pri.get.total", "", "number of get ops", { right: true, hidden: true }),
  col("get.exists_total", "geto,getExistsTotal", "number of successful gets", stat),
  col("pri.get.exists_total", "", "number of successful gets", { right: true, hidden: true }),
  col("get.missing_total", "gmto,getMissingTotal", "number of failed gets", stat),
  col("pri.get.missing_total", "", "number of failed gets", { right: true, hidden: true }),
  col("indexing.delete_total", "idto,indexingDeleteTotal", "number of delete ops", stat),
  col("pri.indexing.delete_total", "", "number of delete ops", { right: true, hidden: true }),
  col("indexing.index_total", "iito,indexingIndexTotal", "number of indexing ops", stat),
  col("pri.indexing.index_total", "", "number of indexing ops", { right: true, hidden: true }),
  col("indexing.index_failed", "iif,indexingIndexFailed", "number of failed indexing ops", stat),
  col("pri.indexing.index_failed", "", "number of failed indexing ops", { right: true, hidden: true }),
  col("merges.total", "mt,mergesTotal", "number of completed merge ops", stat),
  col("pri.merges.total", "", "number of completed merge ops", { right: true, hidden: true }),
  col("refresh.total", "rto,refreshTotal", "total refreshes", stat),
  col("pri.refresh.total", "", "total refreshes", { right: true, hidden: true }),
  col("refresh.external_total", "rto,refreshTotal", "total external refreshes", stat),
  col("pri.refresh.external_total", "", "total external refreshes", { right: true, hidden: true }),
  col("search.fetch_total", "sfto,searchFetchTotal", "total fetch ops", stat),
  col("pri.search.fetch_total", "", "total fetch ops", { right: true, hidden: true }),
  col("search.query_total", "sqto,searchQueryTotal", "total query phase ops", stat),
  col("pri.search.query_total", "", "total query phase ops", { right: true, hidden: true }),
  col("dataset.size", "", "total size of dataset", { right: true, size: true }),
];

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };
/** `bytes=` values RestTable.renderValue knows (`k` = `kb`, …). */
const BYTES_PARAM: Record<string, number> = { ...BYTE_UNITS, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** ES's `ByteSizeValue` rendering: the largest unit ≥ 1, one decimal, `.0` dropped. */
export function humanBytes(bytes: number): string {
  const units = ["pb", "tb", "gb", "mb", "kb"];
  for (const u of units) {
    const v = bytes / BYTE_UNITS[u]!;
    if (v >= 1) return `${formatOneDecimal(v)}${u}`;
  }
  return `${bytes}b`;
}

function formatOneDecimal(v: number): string {
  const s = (Math.round(v * 10) / 10).toFixed(1);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/**
 * Columns ES's RestIndicesAction declares that es-sim has no data for (cache, segment, fielddata,
 * timing and in-flight statistics), by name (with their `pri.` siblings) or alias: asking for one is
 * refused explicitly rather than dropped like a name ES does not know.
 */
const UNMODELLED_COLUMN =
  /^(pri\.)?(completion\.size|fielddata\.|query_cache\.|request_cache\.|flush\.total_time|get\.(current|time|exists_time|missing_time)|indexing\.(delete_current|delete_time|index_current|index_time)|merges\.(current|current_docs|current_size|total_docs|total_size|total_time)|refresh\.(time|external_time|listeners)|search\.(fetch_current|fetch_time|open_contexts|query_current|query_time|scroll_|fetch_failure_total|query_failure_total)|segments\.|warmer\.|suggest\.|memory\.total|search\.throttled|bulk\.)/;
const UNMODELLED_ALIASES = new Set(
  (
    "cs,completionSize,fm,fielddataMemory,fe,fielddataEvictions,qcm,queryCacheMemory,qce,queryCacheEvictions,rcm,requestCacheMemory," +
    "rce,requestCacheEvictions,rchc,requestCacheHitCount,rcmc,requestCacheMissCount,ftt,flushTotalTime,gc,getCurrent,gti,getTime," +
    "geti,getExistsTime,gmti,getMissingTime,idc,indexingDeleteCurrent,idti,indexingDeleteTime,iic,indexingIndexCurrent,iiti," +
    "indexingIndexTime,mc,mergesCurrent,mcd,mergesCurrentDocs,mcs,mergesCurrentSize,mtd,mergesTotalDocs,mts,mergesTotalSize,mtt," +
    "mergesTotalTime,rti,refreshTime,rli,refreshListeners,sfc,searchFetchCurrent,sfti,searchFetchTime,so,searchOpenContexts,sqc," +
    "searchQueryCurrent,sqti,searchQueryTime,scc,searchScrollCurrent,scti,searchScrollTime,scto,searchScrollTotal,sc,segmentsCount," +
    "sm,segmentsMemory,siwm,segmentsIndexWriterMemory,svmm,segmentsVersionMapMemory,sfbm,fixedBitsetMemory,wc,warmerCurrent,wto," +
    "warmerTotal,wtt,warmerTotalTime,suc,suggestCurrent,suti,suggestTime,suto,suggestTotal,tm,memoryTotal,sth,bto,bulkTotalOperation," +
    "btti,bulkTotalTime,btsi,bulkTotalSizeInBytes,bati,bulkAvgTime,basi,bulkAvgSizeInBytes"
  ).split(","),
);

/** A column as displayed: the table column and the name the request used for it (`h=i` shows `i`). */
interface Shown {
  column: CatColumn;
  display: string;
}

const TEXT = { "Content-Type": "text/plain; charset=UTF-8" };

/** RestTable.pad: right-aligned cells are left-padded; left-aligned ones right-padded except in the last column. */
function pad(value: string, width: number, right: boolean | undefined, last: boolean): string {
  if (right) return value.padStart(width);
  return last ? value : value.padEnd(width);
}

/** `help`: one line per column, `name | aliases | description`, each padded to the widest (AbstractCatAction). */
function renderHelp(columns: CatColumn[]): Reply {
  const cells = columns.map((c) => [c.name, c.aliases.join(","), c.desc]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((r) => r[i]!.length)));
  const text = cells.map((r) => r.map((v, i) => v.padEnd(widths[i]!)).join(" | ") + "\n").join("");
  return { text, headers: TEXT };
}

/** RestTable.buildDisplayHeaders. */
function displayColumns(ctx: RequestContext, columns: CatColumn[]): Shown[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const h = ctx.param("h");
  if (h === undefined) return columns.filter((c) => !c.hidden).map((c) => ({ column: c, display: c.name }));
  const wanted: string[] = [];
  for (const raw of h.split(",").map((s) => s.trim())) {
    if (raw === "") continue;
    if (raw.includes("*")) {
      for (const c of columns)
        if (simpleMatch(raw, c.name) || c.aliases.some((a) => simpleMatch(raw, a))) if (!wanted.includes(c.name)) wanted.push(c.name);
    } else if (!wanted.includes(raw)) wanted.push(raw);
  }
  const out: Shown[] = [];
  const pri = ctx.bool("pri", false);
  for (const name of wanted) {
    const column = byName.get(name) ?? columns.find((c) => c.aliases.includes(name));
    if (!column && (UNMODELLED_COLUMN.test(name) || UNMODELLED_ALIASES.has(name)))
      throw errors.notSupported(`the _cat/indices column [${name}]`);
    if (!column) continue; // ES drops a header it does not know.
    out.push({ column, display: name });
    const sibling = column.sibling && pri ? byName.get(`${column.sibling}.${column.name}`) : undefined;
    if (sibling) out.push({ column: sibling, display: `${column.sibling}.${name}` });
  }
  return out;
}

/** RestTable.getRowOrder: `s` by names or aliases; an unknown key fails the request. */
function sortRows(ctx: RequestContext, columns: CatColumn[], rows: Array<Record<string, string | null>>): void {
  const sort = ctx.param("s");
  if (!sort) return;
  const keys = sort.split(",").map((k) => {
    let name = k.trim();
    let desc = false;
    if (name.endsWith(":desc")) {
      name = name.slice(0, -":desc".length);
      desc = true;
    } else if (name.endsWith(":asc")) name = name.slice(0, -":asc".length);
    const column = columns.find((c) => c.name === name) ?? columns.find((c) => c.aliases.includes(name));
    if (!column) throw errors.illegalArgument(`Unable to sort by unknown sort key \`${name}\``);
    return { name: column.name, desc };
  });
  rows.sort((a, b) => {
    for (const k of keys) {
      const va = a[k.name] ?? "";
      const vb = b[k.name] ?? "";
      const na = Number(va);
      const nb = Number(vb);
      const c = va !== "" && vb !== "" && !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : va < vb ? -1 : va > vb ? 1 : 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

/** Renders rows (raw values keyed by column name; sizes in bytes) as ES's RestTable. */
export function renderCat(ctx: RequestContext, columns: CatColumn[], rows: Array<Record<string, string | null>>): Reply {
  const bytes = ctx.param("bytes");
  if (bytes !== undefined && !(bytes in BYTES_PARAM)) throw errors.illegalArgument(`failed to parse [bytes] with value [${bytes}]`);
  if (ctx.bool("help", false)) return renderHelp(columns);
  const shown = displayColumns(ctx, columns);
  sortRows(ctx, columns, rows);
  const cell = (r: Record<string, string | null>, c: CatColumn): string | null => {
    const v = r[c.name] ?? null;
    if (v === null || !c.size) return v;
    return bytes ? String(Math.floor(Number(v) / BYTES_PARAM[bytes]!)) : humanBytes(Number(v));
  };
  const format = ctx.param("format") ?? "text";
  if (format === "json") {
    return { body: rows.map((r) => Object.fromEntries(shown.map((s) => [s.display, cell(r, s.column)]))) };
  }
  if (format !== "text" && format !== "txt") throw errors.notSupported(`cat format [${format}]`);
  const verbose = ctx.bool("v", false);
  const body = rows.map((r) => shown.map((s) => cell(r, s.column) ?? ""));
  const widths = shown.map((s, i) => Math.max(verbose ? s.display.length : 0, ...body.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values.map((v, i) => pad(v, widths[i]!, shown[i]!.column.right, i === values.length - 1)).join(" ") + "\n";
  const lines = [...(verbose ? [line(shown.map((s) => s.display))] : []), ...body.map(line)];
  return { text: lines.join(""), headers: TEXT };
}

export const catRoutes: RouteDef[] = [
  {
    api: "cat.indices",
    methods: ["GET"],
    paths: ["/_cat/indices", "/_cat/indices/{index}"],
    params: [...CAT_PARAMS, ...EXPRESSION_PARAMS, "health", "pri", "include_unloaded_segments"],
    body: "none",
    handler: (ctx) => {
      const raw = ctx.param("health");
      const health = raw?.toLowerCase();
      // ClusterHealthStatus.fromString (case-insensitive)
      if (health !== undefined && !["green", "yellow", "red"].includes(health))
        throw errors.illegalArgument(`unknown cluster health status [${raw}]`);
      const rows = catIndices(ctx.cluster, ctx.pathParams.index, { ...ctx.expression(), health });
      return renderCat(ctx, INDEX_COLUMNS, rows);
    },
  },
];
