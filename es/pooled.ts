/**
 * Bounded concurrency for reads over many indices: one site may have hundreds of index pairs, and
 * one request per index at a time made a read of them take seconds; all at once would queue
 * hundreds of requests on the cluster's `search`/`management` thread pools.
 */

/** Bound on the reads in flight at once. */
export const READS_IN_FLIGHT = 16;

/** `f` over `items`, at most `limit` at a time, results in order. */
export async function pooled<T, R>(items: readonly T[], f: (item: T, n: number) => Promise<R>, limit = READS_IN_FLIGHT): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const n = next++;
      out[n] = await f(items[n]!, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
