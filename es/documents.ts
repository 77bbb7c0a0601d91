/** Typed document calls (rest-api-spec `search`, `bulk`) used to find and copy divergent writes. */
import type { Es } from "./connection";
import { call } from "./request";

/** A document as search returns it with `seq_no_primary_term`. */
export interface SeqNoHit {
  id: string;
  seqNo: number;
  routing: string | undefined;
  source: Record<string, unknown>;
}

/**
 * `search` for the documents of one shard with `_seq_no` above `above`, in `_seq_no` order,
 * one page at a time (`search_after` on `_seq_no`, which is unique within a shard).
 * `shard` is sent as `preference=_shards:N` only when the index has more than one shard.
 */
export async function* searchSeqNoAbove(
  es: Es,
  index: string,
  opts: { above: number; shard?: number | undefined; pageSize?: number },
): AsyncGenerator<SeqNoHit[]> {
  const size = opts.pageSize ?? 500;
  let after: number | undefined;
  for (;;) {
    const r = (await call(es, "search", index, (c) =>
      c.search({
        index,
        ...(opts.shard === undefined ? {} : { preference: `_shards:${opts.shard}` }),
        size,
        seq_no_primary_term: true,
        query: { range: { _seq_no: { gt: opts.above } } },
        sort: [{ _seq_no: { order: "asc" } }],
        ...(after === undefined ? {} : { search_after: [after] }),
      } as never),
    )) as unknown as { hits?: { hits?: Array<Record<string, unknown>> } };
    const hits = (r.hits?.hits ?? []).map((h): SeqNoHit => ({
      id: String(h["_id"]),
      seqNo: Number(h["_seq_no"] ?? (Array.isArray(h["sort"]) ? (h["sort"] as unknown[])[0] : -1)),
      routing: typeof h["_routing"] === "string" ? (h["_routing"] as string) : undefined,
      source: (h["_source"] ?? {}) as Record<string, unknown>,
    }));
    if (hits.length === 0) return;
    yield hits;
    if (hits.length < size) return;
    after = hits[hits.length - 1]!.seqNo;
  }
}

/** One failed item of a bulk request. */
export interface BulkItemFailure {
  id: string;
  status: number;
  error: string;
}

/** `bulk` of `index` actions (same `_id`, so re-running overwrites instead of duplicating). */
export async function bulkIndex(
  es: Es,
  index: string,
  docs: ReadonlyArray<SeqNoHit>,
): Promise<{ indexed: number; failures: BulkItemFailure[] }> {
  if (docs.length === 0) return { indexed: 0, failures: [] };
  const operations: unknown[] = [];
  for (const d of docs) {
    operations.push({ index: { _index: index, _id: d.id, ...(d.routing === undefined ? {} : { routing: d.routing }) } });
    operations.push(d.source);
  }
  const r = (await call(es, "bulk", index, (c) => c.bulk({ operations } as never))) as unknown as {
    errors?: boolean;
    items?: Array<Record<string, { _id?: string; status?: number; error?: { type?: string; reason?: string } }>>;
  };
  const failures: BulkItemFailure[] = [];
  let indexed = 0;
  for (const item of r.items ?? []) {
    const res = Object.values(item)[0];
    if (!res) continue;
    if (res.error) failures.push({ id: String(res._id), status: Number(res.status ?? 0), error: `${res.error.type}: ${res.error.reason}` });
    else indexed++;
  }
  return { indexed, failures };
}

/** `count`: documents in `index`; an absent or closed index is an error. */
export async function count(es: Es, index: string): Promise<number> {
  const r = await call(es, "count", index, (c) => c.count({ index }));
  return r.count;
}

/**
 * `search` (`size: 0`, exact total) counting the documents of one shard with `_seq_no` above
 * `above`: the same documents {@link searchSeqNoAbove} pages through, so a count made before a
 * failback's quarantine is the number the quarantine copies.
 */
export async function countSeqNoAbove(es: Es, index: string, opts: { above: number; shard?: number | undefined }): Promise<number> {
  const r = (await call(es, "search", index, (c) =>
    c.search({
      index,
      ...(opts.shard === undefined ? {} : { preference: `_shards:${opts.shard}` }),
      size: 0,
      track_total_hits: true,
      query: { range: { _seq_no: { gt: opts.above } } },
    } as never),
  )) as unknown as { hits?: { total?: { value?: number } | number } };
  const total = r.hits?.total;
  return typeof total === "number" ? total : Number(total?.value ?? 0);
}

/**
 * `search` for the first document of one shard with `_seq_no` above `above` (lowest `_seq_no`),
 * returning only `field` of its source; `undefined` when there is none.
 */
export async function firstSeqNoAbove(
  es: Es,
  index: string,
  opts: { above: number; shard?: number | undefined; field: string },
): Promise<{ seqNo: number; value: unknown } | undefined> {
  const r = (await call(es, "search", index, (c) =>
    c.search({
      index,
      ...(opts.shard === undefined ? {} : { preference: `_shards:${opts.shard}` }),
      size: 1,
      seq_no_primary_term: true,
      _source: [opts.field],
      query: { range: { _seq_no: { gt: opts.above } } },
      sort: [{ _seq_no: { order: "asc" } }],
    } as never),
  )) as unknown as { hits?: { hits?: Array<Record<string, unknown>> } };
  const hit = r.hits?.hits?.[0];
  if (!hit) return undefined;
  const source = (hit["_source"] ?? {}) as Record<string, unknown>;
  return { seqNo: Number(hit["_seq_no"] ?? -1), value: source[opts.field] };
}
