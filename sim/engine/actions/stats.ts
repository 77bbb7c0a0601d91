/**
 * Monitoring of indices: index stats (`TransportIndicesStatsAction`) and the rows of
 * `GET /_cat/indices` (`RestIndicesAction`). Counters come from each shard; sizes are estimates,
 * since es-sim has no Lucene segments to measure.
 */
import type { Cluster, ExpressionOptions } from "../cluster";
import { errors } from "../errors";
import type { IndexShard } from "../shard";
import type { Json } from "../types";
import { replicasOf, shardsHeader } from "./shardCopies";

/** `GET /{index}/_stats[/{metric}]` with `level=cluster|indices|shards`. */
export function indicesStats(
  cluster: Cluster,
  expression: string | undefined,
  metrics: string[] | undefined,
  opts: ExpressionOptions & { level?: string },
): Json {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  const level = opts.level ?? "indices";
  if (!["cluster", "indices", "shards"].includes(level)) {
    throw errors.illegalArgument(`level parameter must be one of [cluster] or [indices] or [shards] but was [${level}]`);
  }
  const now = cluster.now();
  const wanted = (m: string) => !metrics || metrics.includes("_all") || metrics.includes(m);
  const section = (s: IndexShard): Json => {
    const out: Json = {};
    const bytes = cluster.translogBytes(s);
    const storeSize = approximateStoreSize(s);
    if (wanted("docs"))
      out.docs = { count: s.isOpen ? s.visibleCount : 0, deleted: s.isOpen ? s.softDeletedCount : 0, total_size_in_bytes: storeSize };
    if (wanted("store")) out.store = { size_in_bytes: storeSize, total_data_set_size_in_bytes: storeSize, reserved_in_bytes: 0 };
    if (wanted("indexing")) {
      out.indexing = {
        index_total: s.counters.indexTotal,
        index_time_in_millis: 0,
        index_current: 0,
        index_failed: s.counters.indexFailed,
        delete_total: s.counters.deleteTotal,
        delete_time_in_millis: 0,
        delete_current: 0,
        noop_update_total: s.counters.noopUpdateTotal,
        is_throttled: false,
        throttle_time_in_millis: 0,
        write_load: 0,
      };
    }
    if (wanted("get")) {
      out.get = {
        total: s.counters.getTotal,
        time_in_millis: 0,
        exists_total: s.counters.getExists,
        exists_time_in_millis: 0,
        missing_total: s.counters.getMissing,
        missing_time_in_millis: 0,
        current: 0,
      };
    }
    if (wanted("search")) {
      out.search = {
        open_contexts: 0,
        query_total: s.counters.queryTotal,
        query_time_in_millis: 0,
        query_current: 0,
        fetch_total: s.counters.queryTotal,
        fetch_time_in_millis: 0,
        fetch_current: 0,
        scroll_total: 0,
        scroll_time_in_millis: 0,
        scroll_current: 0,
        suggest_total: 0,
        suggest_time_in_millis: 0,
        suggest_current: 0,
      };
    }
    if (wanted("merge")) {
      out.merges = {
        current: 0,
        current_docs: 0,
        current_size_in_bytes: 0,
        total: s.counters.mergeTotal,
        total_time_in_millis: 0,
        total_docs: 0,
        total_size_in_bytes: 0,
        total_stopped_time_in_millis: 0,
        total_throttled_time_in_millis: 0,
        total_auto_throttle_in_bytes: 20971520,
      };
    }
    if (wanted("refresh")) {
      out.refresh = {
        total: s.counters.refreshTotal,
        total_time_in_millis: 0,
        external_total: s.counters.externalRefreshTotal,
        external_total_time_in_millis: 0,
        listeners: 0,
      };
    }
    if (wanted("flush"))
      out.flush = { total: s.counters.flushTotal, periodic: 0, total_time_in_millis: 0, total_time_excluding_waiting_on_lock_in_millis: 0 };
    if (wanted("translog")) {
      out.translog = {
        operations: s.uncommittedOps,
        size_in_bytes: bytes,
        uncommitted_operations: s.uncommittedOps,
        uncommitted_size_in_bytes: bytes,
        earliest_last_modified_age: 0,
      };
    }
    return out;
  };
  const sum = (a: Json, b: Json): Json => {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) {
      if (typeof v === "number" && typeof out[k] === "number") out[k] = (out[k] as number) + v;
      else if (v && typeof v === "object" && out[k] && typeof out[k] === "object") out[k] = sum(out[k] as Json, v as Json);
      else if (!(k in out)) out[k] = v;
    }
    return out;
  };
  let all: Json = {};
  const perIndex: Json = {};
  for (const n of indices) {
    const s = cluster.shard(n)!;
    const prim = section(s);
    all = Object.keys(all).length === 0 ? prim : sum(all, prim);
    const entry: Json = {
      uuid: s.uuid,
      health: replicasOf(s) > 0 ? "yellow" : "green",
      status: s.meta.state,
      primaries: prim,
      total: prim,
    };
    if (level === "shards") {
      entry.shards = {
        "0": [
          {
            routing: { state: "STARTED", primary: true, node: cluster.nodeId, relocating_node: null },
            ...prim,
            commit: { id: s.uuid, generation: s.counters.flushTotal + 1, user_data: {}, num_docs: s.visibleCount },
            seq_no: { max_seq_no: s.maxSeqNo, local_checkpoint: s.localCheckpoint, global_checkpoint: s.globalCheckpoint },
            retention_leases: leasesJson(s.retentionLeases(now)),
            shard_path: { state_path: cluster.nodeId, data_path: cluster.nodeId, is_custom_data_path: false },
          },
        ],
      };
    }
    perIndex[n] = entry;
  }
  const body: Json = { _shards: shardsHeader(cluster, indices), _all: { primaries: all, total: all } };
  if (level !== "cluster") body.indices = perIndex;
  return body;
}

/** Rows of `GET /_cat/indices` (values as strings, as ES's JSON cat output). */
export function catIndices(
  cluster: Cluster,
  expression: string | undefined,
  opts: ExpressionOptions & { health?: string; pri?: boolean },
): Array<Record<string, string | null>> {
  // RestIndicesAction: IndicesOptions.strictExpand() unless expand_wildcards says otherwise, so
  // hidden indices (data stream backing indices among them) show only when named, asked for or
  // reached through their data stream's name
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
  const rows: Array<Record<string, string | null>> = [];
  for (const n of indices) {
    const s = cluster.shard(n)!;
    const health = replicasOf(s) > 0 ? "yellow" : "green";
    if (opts.health && opts.health !== health) continue;
    const size = approximateStoreSize(s);
    const created = Number(s.setting("index.creation_date"));
    // Stats columns are empty for a closed index, as RestIndicesAction leaves them without stats.
    const stat = (v: number) => (s.isOpen ? String(v) : null);
    const c = s.counters;
    rows.push({
      health,
      status: s.meta.state,
      index: n,
      uuid: s.uuid,
      pri: s.setting("index.number_of_shards"),
      rep: String(replicasOf(s)),
      "docs.count": s.isOpen ? String(s.visibleCount) : null,
      "docs.deleted": s.isOpen ? String(s.softDeletedCount) : null,
      "store.size": s.isOpen ? String(size) : null,
      "pri.store.size": s.isOpen ? String(size) : null,
      "dataset.size": s.isOpen ? String(size) : null,
      "creation.date": String(created),
      "creation.date.string": new Date(created).toISOString(),
      ...primaryAndTotal("flush.total", stat(c.flushTotal)),
      ...primaryAndTotal("get.total", stat(c.getTotal)),
      ...primaryAndTotal("get.exists_total", stat(c.getExists)),
      ...primaryAndTotal("get.missing_total", stat(c.getMissing)),
      ...primaryAndTotal("indexing.delete_total", stat(c.deleteTotal)),
      ...primaryAndTotal("indexing.index_total", stat(c.indexTotal)),
      ...primaryAndTotal("indexing.index_failed", stat(c.indexFailed)),
      ...primaryAndTotal("merges.total", stat(c.mergeTotal)),
      ...primaryAndTotal("refresh.total", stat(c.refreshTotal)),
      ...primaryAndTotal("refresh.external_total", stat(c.externalRefreshTotal)),
      ...primaryAndTotal("search.fetch_total", stat(c.queryTotal)),
      ...primaryAndTotal("search.query_total", stat(c.queryTotal)),
    });
  }
  return rows;
}

/** A column and its `pri.` sibling: equal, since only primaries hold data on one node. */
function primaryAndTotal(name: string, value: string | null): Record<string, string | null> {
  return { [name]: value, [`pri.${name}`]: value };
}

/** A rough on-disk size: ES reports Lucene segment bytes; we report the JSON size of live sources. */
export function approximateStoreSize(s: IndexShard): number {
  return 225 + s.liveCount * 64 + s.history.length * 32;
}

/** Shard-stats rendering of retention leases (snake_case, as ES prints them). */
function leasesJson(l: { primaryTerm: number; version: number; leases: unknown[] }): Json {
  return { primary_term: l.primaryTerm, version: l.version, leases: l.leases };
}
