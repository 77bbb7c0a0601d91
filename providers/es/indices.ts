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
        if (typeof val === "object" && val !== null && !Array.isArray(val)) Object.assign(out, flattenSettings(val as Record<string, unknown>, key));
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
export function indicesCreate(es: Es, index: string, body: { mappings?: Record<string, unknown>; settings?: Record<string, unknown> }): Promise<StepOutcome> {
    return change(es, "indices.create", index, (c) => c.indices.create({ index, ...body } as never), ["already_exists"]);
}

/** `indices.get_mapping`: the mapping of `index`; `undefined` when absent. */
export async function indicesGetMapping(es: Es, index: string): Promise<Record<string, unknown> | undefined> {
    const r = (await readOrUndefined(es, "indices.get_mapping", index, (c) => c.indices.getMapping({ index, expand_wildcards: "all" }))) as unknown as
        | Record<string, { mappings?: Record<string, unknown> }>
        | undefined;
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
        | { indices?: Record<string, { shards?: Record<string, Array<Record<string, unknown>>> }> }
        | undefined;
    const shards = r?.indices?.[index]?.shards;
    if (!shards) return undefined;
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
