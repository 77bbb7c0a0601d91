/**
 * Helpers for the CCR integration tests: pairs of real es-sim processes, remote-cluster bodies,
 * polling until a condition holds (a generous ceiling only guards against hanging — no timing is
 * asserted), and readers of documents and operation histories to compare leader and follower.
 */
import { http, spawnSim, type SpawnedSim, type SpawnSimOptions } from "./sim";

/** Ceiling of `waitFor`: far above anything a healthy run needs, so it never decides a result. */
export const WAIT_CEILING_MS = 60_000;
const POLL_MS = 50;

/** Polls `check` until it returns a value other than undefined/false; throws with `what` at the ceiling. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const deadline = Date.now() + WAIT_CEILING_MS;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Spawns es-sim processes and cleans them all up after the suite. */
export class SimFleet {
  private readonly sims: SpawnedSim[] = [];

  async spawn(opts: SpawnSimOptions): Promise<SpawnedSim> {
    const s = await spawnSim(opts);
    this.sims.push(s);
    return s;
  }

  async cleanup(): Promise<void> {
    for (const s of this.sims) await s.cleanup();
  }
}

/** A proxy-mode remote body (as the seed tutorial writes it, strings everywhere). */
export function proxyRemote(alias: string, address: string): unknown {
  return {
    persistent: {
      cluster: {
        remote: {
          [alias]: {
            mode: "proxy",
            skip_unavailable: "true",
            server_name: `${alias.toLowerCase()}.es.local`,
            proxy_socket_connections: "18",
            proxy_address: address,
          },
        },
      },
    },
  };
}

/** Registers `alias` → `address` (proxy mode) on the cluster at `url`. */
export async function addRemote(url: string, alias: string, address: string): Promise<void> {
  const r = await http(url, "PUT", "/_cluster/settings", proxyRemote(alias, address));
  if (r.status !== 200) throw new Error(`adding remote ${alias} failed: ${r.text}`);
}

/** JSON call that must succeed with `status` (default 200). */
export async function ok(url: string, method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const r = await http(url, method, path, body);
  if (r.status !== status) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
  return r.body;
}

/** Indexes `count` documents with ids `${prefix}${i}` in one bulk. */
export async function bulkIndex(
  url: string,
  index: string,
  count: number,
  prefix = "d",
  extra: Record<string, unknown> = {},
): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ index: { _index: index, _id: `${prefix}${i}` } }));
    lines.push(JSON.stringify({ n: i, tag: prefix, ...extra }));
  }
  const r = await http(url, "POST", "/_bulk", lines.join("\n") + "\n", { "content-type": "application/x-ndjson" });
  if (r.status !== 200 || r.body.errors) throw new Error(`bulk failed: ${r.text.slice(0, 500)}`);
}

/** The single shard status of a follower (`GET /{index}/_ccr/stats`). */
export async function shardStats(url: string, index: string): Promise<any> {
  const r = await http(url, "GET", `/${index}/_ccr/stats`);
  if (r.status !== 200) throw new Error(`stats of ${index}: ${r.status} ${r.text}`);
  return r.body.indices[0].shards[0];
}

/** Waits until the follower's global checkpoint reaches the leader's current one. */
export async function waitCaughtUp(leaderUrl: string, leaderIndex: string, followerUrl: string, followerIndex: string): Promise<number> {
  // reading from beyond the end only reports the checkpoints (the start may have been merged away)
  const target = (await history(leaderUrl, leaderIndex, Number.MAX_SAFE_INTEGER)).global_checkpoint as number;
  return waitFor(`[${followerIndex}] to reach checkpoint ${target}`, async () => {
    const s = await shardStats(followerUrl, followerIndex);
    return s.follower_global_checkpoint >= target ? s.follower_global_checkpoint : undefined;
  });
}

/** An index's history from `from` (`GET /{index}/ccr/shard_changes`), without waiting. */
export async function history(url: string, index: string, from = 0): Promise<any> {
  return ok(url, "GET", `/${index}/ccr/shard_changes?from_seq_no=${from}&poll_timeout=0s&max_operations_count=1000000&max_batch_size=1gb`);
}

/** History operations from `from` as comparable tuples (op type, seq_no, primary term, id, version). */
export async function operations(url: string, index: string, from = 0): Promise<Array<[string, number, number, string, number]>> {
  const h = await history(url, index, from);
  return (h.operations ?? []).map((o: any) => [o.op_type, o.seq_no, o.primary_term, o.id, o.version]);
}

/** Live documents with their numbers, sorted by id (realtime view through a refresh). */
export async function documents(
  url: string,
  index: string,
): Promise<Array<{ id: string; seq: number; term: number; version: number; source: unknown }>> {
  await ok(url, "POST", `/${index}/_refresh`);
  const r = await ok(url, "POST", `/${index}/_search?size=10000&seq_no_primary_term=true&version=true`, { query: { match_all: {} } });
  return (r.hits.hits as any[])
    .map((h) => ({ id: h._id, seq: h._seq_no, term: h._primary_term, version: h._version, source: h._source }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
