/**
 * The `lastPromotion` stack output: the ccr-dr promotion records (es/records.ts)
 * that this site's own cluster holds for the site's configured indices, read while the program runs.
 *
 * Timing: Pulumi deletes removed resources after the program has finished, and a failover's
 * promotions are such deletes (FollowerIndex delete = promote). So the `pulumi up` that fails over
 * cannot show the record it writes; its outputs show the records as they were when it started, and
 * the *next* `pulumi up` (or a `pulumi preview`, which does not save them) shows the new one.
 * `ccr-dr status` reads the records live.
 *
 * Only this site's cluster is read, never the peer: the surviving site must plan and apply while the
 * other is down. The read is bounded ({@link lastPromotionTimeoutMs}) and never fails the program:
 * an unreachable cluster or an error answer becomes `status: "unavailable"` with the reason.
 */
import { close, connect, type ConnectOptions, type Es } from "../es/connection";
import { indicesGetMeta, type IndexMeta } from "../es/indices";
import { decodePromotion, type PromotionRecord } from "../es/records";
import { type ClusterConfig, type ClusterName, plainConnection } from "./config";

/** Upper bound on the whole read; a smaller `requestTimeoutMs` of the site's cluster wins. */
export const LAST_PROMOTION_TIMEOUT_MS = 3_000;

/** The records could be read. */
export interface LastPromotionRead {
  status: "ok";
  /** The cluster that was read: this site's. */
  cluster: ClusterName;
  /**
   * By configured index name of this site: the promotion record about that very index (its
   * `indexUuid` is the index's current UUID). Indices without one are left out — never promoted,
   * re-created since (a failback re-creates its indices as followers), absent, or carrying only a
   * record replicated from their leader, which is about the leader index, not this one.
   */
  indices: Record<string, PromotionRecord>;
  /** The most recent record of `indices` (by `promotedAt`); absent when `indices` is empty. */
  newest?: PromotionRecord;
}

/** The cluster could not be read (down, refused, timed out, or answered an error). */
export interface LastPromotionUnavailable {
  status: "unavailable";
  cluster: ClusterName;
  /** Why, as the error said it (cluster, operation, likely fix; never a secret). */
  reason: string;
}

/** The `lastPromotion` stack output. */
export type LastPromotion = LastPromotionRead | LastPromotionUnavailable;

/**
 * Shapes the output from what the cluster answered (pure). `found` holds the UUID and mapping
 * `_meta` of every index that exists; a record counts only when it is about the index carrying it
 * ({@link decodePromotion} with that index's UUID), so a record replicated from a leader onto its
 * follower is not presented as a promotion of the follower.
 */
export function lastPromotionOf(
  cluster: ClusterName,
  indices: readonly string[],
  found: Readonly<Record<string, IndexMeta>>,
): LastPromotionRead {
  const records: Record<string, PromotionRecord> = {};
  let newest: PromotionRecord | undefined;
  let newestAt = -Infinity;
  for (const index of indices) {
    const entry = Object.prototype.hasOwnProperty.call(found, index) ? found[index] : undefined;
    if (!entry || records[index]) continue;
    const record = decodePromotion(entry.meta, entry.uuid);
    if (!record) continue;
    records[index] = record;
    const at = Date.parse(record.promotedAt);
    const time = Number.isNaN(at) ? -Infinity : at;
    if (newest === undefined || time > newestAt) {
      newest = record;
      newestAt = time;
    }
  }
  return { status: "ok", cluster, indices: records, ...(newest ? { newest } : {}) };
}

/** The bound on the read for `site`: {@link LAST_PROMOTION_TIMEOUT_MS}, or its `requestTimeoutMs` if smaller. */
export function lastPromotionTimeoutMs(site: Pick<ClusterConfig, "requestTimeoutMs">): number {
  return Math.min(LAST_PROMOTION_TIMEOUT_MS, site.requestTimeoutMs ?? LAST_PROMOTION_TIMEOUT_MS);
}

/** Options of {@link readLastPromotion} (tests). */
export interface ReadLastPromotionOptions {
  /** Overrides {@link lastPromotionTimeoutMs}. */
  timeoutMs?: number;
  /** Passed to {@link connect}. */
  connect?: ConnectOptions;
}

/**
 * Reads the promotion records of `indices` (this site's index names) on `site` with
 * {@link indicesGetMeta} (one request per ~3,000 characters of index names, all in flight
 * together), with no retry, within {@link lastPromotionTimeoutMs}. Never rejects.
 *
 * It first yields one turn of the event loop: the program calls it before declaring its
 * resources, so those registrations are sent before the Elasticsearch client is loaded
 * (synchronously, ~0.2 s of CPU), and the client load and the request overlap the engine's work.
 */
export async function readLastPromotion(
  site: ClusterConfig,
  indices: readonly string[],
  options: ReadLastPromotionOptions = {},
): Promise<LastPromotion> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (indices.length === 0) return lastPromotionOf(site.name, indices, {});
  const timeoutMs = options.timeoutMs ?? lastPromotionTimeoutMs(site);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let es: Es | undefined;
  try {
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(`cluster "${site.name}" did not answer within ${timeoutMs} ms (indices.get of the index UUIDs and mapping _meta)`),
        );
        abort.abort();
      }, timeoutMs);
    });
    es = connect(plainConnection(site, timeoutMs), { maxRetries: 0, ...options.connect });
    const found = await Promise.race([indicesGetMeta(es, indices, { signal: abort.signal }), deadline]);
    return lastPromotionOf(site.name, indices, found);
  } catch (e) {
    return { status: "unavailable", cluster: site.name, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
    abort.abort();
    if (es) close(es).catch(() => undefined);
  }
}
