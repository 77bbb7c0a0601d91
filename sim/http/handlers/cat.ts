/** `GET /_cat/indices` in text (aligned columns, `v`, `h`, `s`, `bytes`, `help`) and `format=json`. */
import { catIndices } from "../../engine/actions/stats";
import { errors } from "../../engine/errors";
import { EXPRESSION_PARAMS, type RequestContext, type RouteDef } from "../context";

const CAT_PARAMS = ["format", "h", "help", "v", "s", "bytes", "time", "local", "master_timeout"];
const INDEX_COLUMNS = [
  "health",
  "status",
  "index",
  "uuid",
  "pri",
  "rep",
  "docs.count",
  "docs.deleted",
  "store.size",
  "pri.store.size",
  "dataset.size",
];
const SIZE_COLUMNS = new Set(["store.size", "pri.store.size", "dataset.size"]);
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

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

function renderCat(ctx: RequestContext, columns: string[], rows: Array<Record<string, string | null>>) {
  const bytes = ctx.param("bytes");
  if (bytes !== undefined && !(bytes in BYTE_UNITS)) throw errors.illegalArgument(`failed to parse [bytes] with value [${bytes}]`);
  if (ctx.bool("help", false)) {
    return { text: columns.map((c) => `${c.padEnd(16)} | ${c}\n`).join(""), headers: { "Content-Type": "text/plain; charset=UTF-8" } };
  }
  const h =
    ctx
      .param("h")
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean) ?? columns;
  for (const c of h) if (!columns.includes(c) && c !== "*") throw errors.illegalArgument(`header [${c}] is not found`);
  const cols = h.includes("*") ? columns : h;
  const shown = rows.map((r) => {
    const out: Record<string, string | null> = {};
    for (const c of cols) {
      const v = r[c] ?? null;
      out[c] = v !== null && SIZE_COLUMNS.has(c) ? (bytes ? String(Math.floor(Number(v) / BYTE_UNITS[bytes]!)) : humanBytes(Number(v))) : v;
    }
    return out;
  });
  const sort = ctx.param("s");
  if (sort) {
    const keys = sort.split(",").map((k) => {
      const [name, order] = k.split(":");
      if (!columns.includes(name!)) throw errors.illegalArgument(`Unable to sort by unknown sort key \`${name}\``);
      return { name: name!, desc: order === "desc" };
    });
    const raw = new Map(shown.map((s, i) => [s, rows[i]!]));
    shown.sort((a, b) => {
      for (const k of keys) {
        const va = raw.get(a)![k.name] ?? "";
        const vb = raw.get(b)![k.name] ?? "";
        const na = Number(va);
        const nb = Number(vb);
        const c = va !== "" && vb !== "" && !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : va < vb ? -1 : va > vb ? 1 : 0;
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  const format = ctx.param("format") ?? "text";
  if (format === "json") return { body: shown };
  if (format !== "text" && format !== "txt") throw errors.notSupported(`cat format [${format}]`);
  const table = ctx.bool("v", false)
    ? [cols, ...shown.map((r) => cols.map((c) => r[c] ?? ""))]
    : shown.map((r) => cols.map((c) => r[c] ?? ""));
  const widths = cols.map((_, i) => Math.max(...table.map((row) => row[i]!.length), 0));
  const text = table
    .map(
      (row) =>
        row
          .map((v, i) => v.padEnd(widths[i]!))
          .join(" ")
          .trimEnd() + "\n",
    )
    .join("");
  return { text, headers: { "Content-Type": "text/plain; charset=UTF-8" } };
}

export const catRoutes: RouteDef[] = [
  {
    api: "cat.indices",
    methods: ["GET"],
    paths: ["/_cat/indices", "/_cat/indices/{index}"],
    params: [...CAT_PARAMS, ...EXPRESSION_PARAMS, "health", "pri", "include_unloaded_segments"],
    body: "none",
    handler: (ctx) => {
      const health = ctx.param("health");
      if (health !== undefined && !["green", "yellow", "red"].includes(health))
        throw errors.illegalArgument(`unknown health status [${health}]`);
      const rows = catIndices(ctx.cluster, ctx.pathParams.index, { ...ctx.expression(), health });
      return renderCat(ctx, INDEX_COLUMNS, rows);
    },
  },
];
