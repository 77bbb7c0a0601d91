/** Typed index-level calls (rest-api-spec `indices.*`, `cat.indices`). */
import type { Es } from "./connection";
import { call, change, readOrUndefined, type StepOutcome } from "./request";

/** What `indices.get` tells about one index. */
export interface IndexDescription {
  uuid: string;
  numberOfShards: number;
  /** `index.blocks.write` is set. */
  writeBlocked: boolean;
  /** Flat index settings as ES renders them. */
  settings: Record<string, unknown>;
  /** The mapping's `_meta` object, if any. */
  meta: Record<string, unknown> | undefined;
  /** The whole mapping (for copying into a quarantine index). */
  mappings: Record<string, unknown>;
}

/** `indices.get` (flat settings, closed indices included); `undefined` when absent. */
export async function indicesGet(es: Es, index: string): Promise<IndexDescription | undefined> {
  const r = (await readOrUndefined(es, "indices.get", index, (c) =>
    c.indices.get({ index, flat_settings: true, expand_wildcards: "all" }),
  )) as unknown as Record<string, { settings?: Record<string, unknown>; mappings?: Record<string, unknown> }> | undefined;
  const entry = r?.[index];
  if (!entry) return undefined;
  const settings = flattenSettings(entry.settings ?? {});
  const mappings = entry.mappings ?? {};
  const meta = mappings["_meta"];
  return {
    uuid: String(settings["index.uuid"] ?? ""),
    numberOfShards: Number(settings["index.number_of_shards"] ?? 1),
    writeBlocked: String(settings["index.blocks.write"] ?? "false") === "true",
    settings,
    meta: typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : undefined,
    mappings,
  };
}

function flattenSettings(v: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof val === "object" && val !== null && !Array.isArray(val))
      Object.assign(out, flattenSettings(val as Record<string, unknown>, key));
    else out[key] = val;
  }
  return out;
}

/** `cat.indices` for one index: whether it is open; `undefined` when absent. */
export async function catIndices(es: Es, index: string): Promise<{ open: boolean } | undefined> {
  const r = (await readOrUndefined(es, "cat.indices", index, (c) =>
    c.cat.indices({ index, format: "json", h: "index,status", expand_wildcards: "all" } as never),
  )) as unknown as Array<{ index?: string; status?: string }> | undefined;
  const row = r?.find((x) => x.index === index) ?? (r?.length === 1 ? r[0] : undefined);
  if (!row) return undefined;
  return { open: row.status !== "close" };
}

/** `cat.indices` of a pattern: the names of every matching index, open or closed; none when nothing matches. */
export async function catIndexNames(es: Es, pattern: string): Promise<string[]> {
  const r = (await call(es, "cat.indices", undefined, (c) =>
    c.cat.indices({ index: pattern, format: "json", h: "index", expand_wildcards: "all" } as never),
  )) as unknown as Array<{ index: string }>;
  return r.map((x) => x.index);
}

/** `indices.put_settings`; `null` resets a key. Works on closed indices for dynamic settings. */
export async function indicesPutSettings(es: Es, index: string, settings: Record<string, string | number | boolean | null>): Promise<void> {
  await call(es, "indices.put_settings", index, (c) => c.indices.putSettings({ index, settings: settings as never }));
}

/** `indices.close`. Closing a closed index is accepted by ES. */
export async function indicesClose(es: Es, index: string): Promise<void> {
  await call(es, "indices.close", index, (c) => c.indices.close({ index }));
}

/** `indices.open`. Opening an open index is accepted by ES. */
export async function indicesOpen(es: Es, index: string): Promise<void> {
  await call(es, "indices.open", index, (c) => c.indices.open({ index }));
}

/** `indices.delete`; absent counts as done. */
export function indicesDelete(es: Es, index: string): Promise<StepOutcome> {
  return change(es, "indices.delete", index, (c) => c.indices.delete({ index }), ["index_not_found"]);
}

/** `indices.create`; an existing index counts as done. */
export function indicesCreate(
  es: Es,
  index: string,
  body: { mappings?: Record<string, unknown>; settings?: Record<string, unknown> },
): Promise<StepOutcome> {
  return change(es, "indices.create", index, (c) => c.indices.create({ index, ...body } as never), ["already_exists"]);
}

/** `indices.get_mapping`: the mapping of `index`; `undefined` when absent. */
export async function indicesGetMapping(es: Es, index: string): Promise<Record<string, unknown> | undefined> {
  const r = (await readOrUndefined(es, "indices.get_mapping", index, (c) =>
    c.indices.getMapping({ index, expand_wildcards: "all" }),
  )) as unknown as Record<string, { mappings?: Record<string, unknown> }> | undefined;
  return r?.[index]?.mappings ?? (r ? {} : undefined);
}

/** `indices.put_mapping` of the mapping's `_meta` (ES replaces `_meta` as a whole). */
export async function indicesPutMapping(es: Es, index: string, meta: Record<string, unknown>): Promise<void> {
  await call(es, "indices.put_mapping", index, (c) => c.indices.putMapping({ index, _meta: meta } as never));
}

/** `indices.add_block` (`PUT /{index}/_block/write`): the fence. Adding a present block is accepted by ES. */
export async function indicesAddBlock(es: Es, index: string, block: "write" | "read_only" = "write"): Promise<void> {
  await call(es, "indices.add_block", index, (c) => c.indices.addBlock({ index, block }));
}

/** Sequence numbers of one shard's primary (`indices.stats`, `level=shards`). */
export interface ShardSeqNo {
  shard: number;
  maxSeqNo: number;
  globalCheckpoint: number;
  localCheckpoint: number;
}

/** `indices.stats` at shard level: the primaries' sequence numbers, by shard; `undefined` when absent. */
export async function indicesStats(es: Es, index: string): Promise<ShardSeqNo[] | undefined> {
  const r = (await readOrUndefined(es, "indices.stats", index, (c) => c.indices.stats({ index, level: "shards" }))) as unknown as
    { indices?: Record<string, { shards?: Record<string, Array<Record<string, unknown>>> }> } | undefined;
  const shards = r?.indices?.[index]?.shards;
  if (!shards) return undefined;
  return primariesSeqNos(shards);
}

/** The primaries' sequence numbers of one index's shard-level stats, by shard number. */
function primariesSeqNos(shards: Record<string, Array<Record<string, unknown>>>): ShardSeqNo[] {
  const out: ShardSeqNo[] = [];
  for (const [shardId, copies] of Object.entries(shards)) {
    const primary = copies.find((c) => (c["routing"] as { primary?: boolean } | undefined)?.primary !== false) ?? copies[0];
    const seq = (primary?.["seq_no"] ?? {}) as Record<string, unknown>;
    out.push({
      shard: Number(shardId),
      maxSeqNo: Number(seq["max_seq_no"] ?? -1),
      globalCheckpoint: Number(seq["global_checkpoint"] ?? -1),
      localCheckpoint: Number(seq["local_checkpoint"] ?? -1),
    });
  }
  return out.sort((a, b) => a.shard - b.shard);
}

/** `indices.refresh`: makes every acknowledged write visible to search. */
export async function indicesRefresh(es: Es, index: string): Promise<void> {
  await call(es, "indices.refresh", index, (c) => c.indices.refresh({ index }));
}

/** An index's identity and its mapping's `_meta`, as {@link indicesGetMeta} reads them. */
export interface IndexMeta {
  uuid: string;
  /** The mapping's `_meta` object, if any. */
  meta: Record<string, unknown> | undefined;
}

/**
 * Longest URL-encoded index list in one request path. Elasticsearch refuses a request line longer
 * than `http.max_initial_line_length` (4 KB by default); this leaves room for the method, the
 * query string and the protocol.
 */
export const MAX_INDEX_LIST_CHARS = 3_000;

/**
 * Splits `indices` into lists whose comma-joined, URL-encoded form (as the client puts it in the
 * path: `,` becomes `%2C`) stays within `maxChars`. A name longer than that on its own gets a list
 * of its own (index names are at most 255 bytes, so this cannot happen with the default).
 */
export function chunkIndexLists(indices: readonly string[], maxChars: number = MAX_INDEX_LIST_CHARS): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const name of indices) {
    const encoded = encodeURIComponent(name).length;
    if (current.length > 0 && length + 3 + encoded > maxChars) {
      out.push(current);
      current = [];
    }
    length = current.length === 0 ? encoded : length + 3 + encoded;
    current.push(name);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * `indices.get` of several indices, answering only what promotion records need: each index's UUID
 * and mapping `_meta` (`filter_path`, so large mappings are not transferred). Absent indices are
 * left out (`ignore_unavailable`), closed ones included. One request per {@link chunkIndexLists}
 * list, all in flight together; `signal` aborts them.
 */
export async function indicesGetMeta(
  es: Es,
  indices: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, IndexMeta>> {
  const out: Record<string, IndexMeta> = {};
  const lists = chunkIndexLists([...new Set(indices)]);
  await Promise.all(
    lists.map(async (list) => {
      const r = (await call(es, "indices.get", list.length === 1 ? list[0] : undefined, (c) =>
        c.indices.get(
          { index: list, ignore_unavailable: true, expand_wildcards: "all", filter_path: ["*.settings.index.uuid", "*.mappings._meta"] },
          options.signal ? { signal: options.signal } : {},
        ),
      )) as unknown as Record<string, { settings?: Record<string, unknown>; mappings?: Record<string, unknown> }> | undefined;
      for (const [name, entry] of Object.entries(r ?? {})) {
        const settings = flattenSettings(entry?.settings ?? {});
        const meta = entry?.mappings?.["_meta"];
        out[name] = {
          uuid: String(settings["index.uuid"] ?? ""),
          meta: typeof meta === "object" && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined,
        };
      }
    }),
  );
  return out;
}

/**
 * `indices.get` of a list of indices (one request; at most {@link chunkIndexLists}' length), as
 * {@link indicesGet} describes each, without the mapping beyond its `_meta` (`filter_path`). Absent
 * indices are left out (`ignore_unavailable`), closed ones included.
 */
export async function indicesGetList(es: Es, indices: readonly string[]): Promise<Record<string, Omit<IndexDescription, "mappings">>> {
  const r = (await call(es, "indices.get", indices.length === 1 ? indices[0] : undefined, (c) =>
    c.indices.get({
      index: [...indices],
      flat_settings: true,
      ignore_unavailable: true,
      expand_wildcards: "all",
      filter_path: ["*.settings", "*.mappings._meta"],
    }),
  )) as unknown as Record<string, { settings?: Record<string, unknown>; mappings?: Record<string, unknown> }> | undefined;
  const out: Record<string, Omit<IndexDescription, "mappings">> = {};
  for (const [name, entry] of Object.entries(r ?? {})) {
    const settings = flattenSettings(entry?.settings ?? {});
    const meta = entry?.mappings?.["_meta"];
    out[name] = {
      uuid: String(settings["index.uuid"] ?? ""),
      numberOfShards: Number(settings["index.number_of_shards"] ?? 1),
      writeBlocked: String(settings["index.blocks.write"] ?? "false") === "true",
      settings,
      meta: typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : undefined,
    };
  }
  return out;
}

/** What the old primary's probe (stack/splitBrain.ts) needs of each index: whether writes are blocked and whether it follows. */
export interface IndexWriteSettings {
  /** Flat settings under `index.blocks` and `index.xpack.ccr`, plus `index.uuid`. */
  settings: Record<string, unknown>;
}

/**
 * `indices.get` of several indices, answering only their block and CCR settings (`filter_path`,
 * `index.uuid` always included so that every existing index has an entry). Absent indices are left
 * out (`ignore_unavailable`), closed ones included. One request per {@link chunkIndexLists} list,
 * all in flight together.
 */
export async function indicesGetWriteSettings(es: Es, indices: readonly string[]): Promise<Record<string, IndexWriteSettings>> {
  const out: Record<string, IndexWriteSettings> = {};
  await Promise.all(
    chunkIndexLists([...new Set(indices)]).map(async (list) => {
      const r = (await call(es, "indices.get", list.length === 1 ? list[0] : undefined, (c) =>
        c.indices.get({
          index: list,
          ignore_unavailable: true,
          expand_wildcards: "all",
          filter_path: ["*.settings.index.uuid", "*.settings.index.blocks", "*.settings.index.xpack.ccr"],
        }),
      )) as unknown as Record<string, { settings?: Record<string, unknown> }> | undefined;
      for (const [name, entry] of Object.entries(r ?? {})) out[name] = { settings: flattenSettings(entry?.settings ?? {}) };
    }),
  );
  return out;
}

/** `cat.indices` of several named indices: open or not, by name. One request per {@link chunkIndexLists} list. */
export async function catIndicesOpen(es: Es, indices: readonly string[]): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  await Promise.all(
    chunkIndexLists([...new Set(indices)]).map(async (list) => {
      const r = (await call(es, "cat.indices", list.length === 1 ? list[0] : undefined, (c) =>
        c.cat.indices({ index: list, format: "json", h: "index,status", expand_wildcards: "all" } as never),
      )) as unknown as Array<{ index?: string; status?: string }> | undefined;
      for (const row of r ?? []) if (row.index !== undefined) out[row.index] = row.status !== "close";
    }),
  );
  return out;
}

/** `indices.stats` (shard level) of several open indices: each one's primaries' sequence numbers. One request per {@link chunkIndexLists} list. */
export async function indicesStatsMany(es: Es, indices: readonly string[]): Promise<Record<string, ShardSeqNo[]>> {
  const out: Record<string, ShardSeqNo[]> = {};
  await Promise.all(
    chunkIndexLists([...new Set(indices)]).map(async (list) => {
      const r = (await call(es, "indices.stats", list.length === 1 ? list[0] : undefined, (c) =>
        c.indices.stats({ index: list, level: "shards" }),
      )) as unknown as { indices?: Record<string, { shards?: Record<string, Array<Record<string, unknown>>> }> } | undefined;
      for (const [name, entry] of Object.entries(r?.indices ?? {})) {
        if (entry.shards) out[name] = primariesSeqNos(entry.shards);
      }
    }),
  );
  return out;
}

/** One retention lease of a shard (`retention_leases.leases` in shard-level `indices.stats`). */
export interface RetentionLease {
  id: string;
  retainingSeqNo: number;
  /** Epoch milliseconds of the lease's last renewal. */
  timestamp: number;
  source: string;
}

/** A primary's sequence numbers and retention leases. */
export interface ShardSeqNoAndLeases extends ShardSeqNo {
  retentionLeases: RetentionLease[];
}

/**
 * `indices.stats` at shard level, with each primary's retention leases (the CCR leases of its
 * followers among them, source `ccr`); `undefined` when absent.
 */
export async function indicesStatsWithLeases(es: Es, index: string): Promise<ShardSeqNoAndLeases[] | undefined> {
  const r = (await readOrUndefined(es, "indices.stats", index, (c) => c.indices.stats({ index, level: "shards" }))) as unknown as
    { indices?: Record<string, { shards?: Record<string, Array<Record<string, unknown>>> }> } | undefined;
  const shards = r?.indices?.[index]?.shards;
  if (!shards) return undefined;
  const out: ShardSeqNoAndLeases[] = [];
  for (const [shardId, copies] of Object.entries(shards)) {
    const primary = copies.find((c) => (c["routing"] as { primary?: boolean } | undefined)?.primary !== false) ?? copies[0];
    const seq = (primary?.["seq_no"] ?? {}) as Record<string, unknown>;
    const leases = ((primary?.["retention_leases"] as { leases?: Array<Record<string, unknown>> } | undefined)?.leases ?? []).map(
      (l): RetentionLease => ({
        id: String(l["id"] ?? ""),
        retainingSeqNo: Number(l["retaining_seq_no"] ?? -1),
        timestamp: Number(l["timestamp"] ?? 0),
        source: String(l["source"] ?? ""),
      }),
    );
    out.push({
      shard: Number(shardId),
      maxSeqNo: Number(seq["max_seq_no"] ?? -1),
      globalCheckpoint: Number(seq["global_checkpoint"] ?? -1),
      localCheckpoint: Number(seq["local_checkpoint"] ?? -1),
      retentionLeases: leases,
    });
  }
  return out.sort((a, b) => a.shard - b.shard);
}
