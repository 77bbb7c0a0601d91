/**
 * A steady client write load for the switchover benchmark: bulks of documents at a fixed rate to
 * the index of the current primary; a bulk item the primary refuses (fenced, or no longer the
 * primary) is retried on the other cluster's index, and once that one acknowledges, the client
 * writes there first — as a client behind a failover-aware endpoint would. Every acknowledged document id is recorded, so the benchmark can check afterwards that
 * none was lost (RPO).
 */
import { rest } from "./pair";

export interface WriterTarget {
  url: string;
  index: string;
}

export interface WriterStats {
  /** Ids acknowledged (2xx item status) by either cluster. */
  acked: string[];
  /** Items refused by both clusters (never acknowledged: not a loss). */
  refused: number;
  /** Acknowledged documents per second over the run. */
  docsPerSec: number;
  /** Longest time without any acknowledged write, ms (the unavailability a client saw). */
  longestGapMs: number;
}

export interface Writer {
  stop(): Promise<WriterStats>;
}

/** Starts writing `docsPerSec` documents per second in bulks every `intervalMs`, to `primary` first. */
export function startWriter(primary: WriterTarget, secondary: WriterTarget, docsPerSec: number, prefix: string, intervalMs = 50): Writer {
  const perBulk = Math.max(1, Math.round((docsPerSec * intervalMs) / 1000));
  const acked: string[] = [];
  let refused = 0;
  let n = 0;
  /** 0: `primary` first; 1: `secondary` first (after it acknowledged writes the other refused). */
  let preferred = 0;
  let stopped = false;
  let lastAck = performance.now();
  let longestGapMs = 0;
  const started = performance.now();
  const inflight = new Set<Promise<void>>();

  const ack = (id: string) => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - lastAck);
    lastAck = now;
    acked.push(id);
  };

  /** Sends `ids` to `t`; returns the ids it did not acknowledge. */
  const send = async (t: WriterTarget, ids: string[]): Promise<string[]> => {
    const lines: string[] = [];
    for (const id of ids)
      lines.push(JSON.stringify({ index: { _index: t.index, _id: id } }), JSON.stringify({ id, at: Date.now(), client: prefix }));
    try {
      const r = await rest(t.url, "POST", "/_bulk", lines.join("\n") + "\n", () => true);
      const items = (r?.items ?? []) as Array<{ index: { _id: string; status: number } }>;
      if (items.length !== ids.length) return ids;
      const left: string[] = [];
      for (const it of items) {
        if (it.index.status >= 200 && it.index.status < 300) ack(it.index._id);
        else left.push(it.index._id);
      }
      return left;
    } catch {
      return ids; // connection error: nothing acknowledged
    }
  };

  const tick = async (ids: string[]) => {
    const [first, second] = preferred === 0 ? [primary, secondary] : [secondary, primary];
    let left = await send(first, ids);
    if (left.length > 0) {
      const before = left.length;
      left = await send(second, left);
      // The other cluster took writes: it is the primary now, and the client sticks to it (it must
      // not write to the old primary's index name once ccr-dr deletes it to re-follow: ES would
      // auto-create it as a regular index).
      if (left.length < before) preferred = preferred === 0 ? 1 : 0;
    }
    refused += left.length;
  };

  const loop = (async () => {
    let due = performance.now();
    while (!stopped) {
      const ids = Array.from({ length: perBulk }, () => `${prefix}-${n++}`);
      const p = tick(ids).finally(() => inflight.delete(p));
      inflight.add(p);
      due += intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  return {
    async stop(): Promise<WriterStats> {
      stopped = true;
      await loop;
      await Promise.all([...inflight]);
      const seconds = (performance.now() - started) / 1000;
      return { acked, refused, docsPerSec: acked.length / seconds, longestGapMs };
    },
  };
}

/** How many of `ids` exist in `index` on `url` (refreshed first). */
export async function countPresent(url: string, index: string, ids: string[]): Promise<number> {
  await rest(url, "POST", `/${index}/_refresh`);
  let found = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const values = ids.slice(i, i + 1000);
    const r = await rest(url, "POST", `/${index}/_search`, { size: 0, track_total_hits: true, query: { ids: { values } } });
    found += r.hits.total.value as number;
  }
  return found;
}
