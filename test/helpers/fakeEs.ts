/**
 * A small in-memory Elasticsearch for unit tests, plugged into the real client as a transport
 * `Connection` class (the connection is injected: no mock framework). It speaks Elasticsearch's
 * REST shapes and error envelopes (as es-sim does, docs/es-sim.md) for exactly the calls the providers make, with
 * one shard per index, and can "crash": from the N-th state-changing request on, every request
 * fails with a connection error, as if the process running `pulumi up` had died there.
 *
 * It is not es-sim: no persistence, no real replication (tests call `replicate()`).
 */
import { BaseConnection, errors as transportErrors } from "@elastic/transport";
import { connect, type Connection, type Es } from "../../es/connection";
import { DEFAULT_FOLLOW_PARAMETERS } from "../../sim/ccr/followParameters";

export interface FakeDoc {
  seq: number;
  source: Record<string, unknown>;
}

export interface FakeFollow {
  alias: string;
  leaderIndex: string;
  leaderUuid: string;
  active: boolean;
  fatal?: string;
  parameters: Record<string, unknown>;
}

export interface FakeIndex {
  uuid: string;
  open: boolean;
  settings: Record<string, string>;
  meta?: Record<string, unknown>;
  properties: Record<string, unknown>;
  docs: Map<string, FakeDoc>;
  maxSeqNo: number;
  follow?: FakeFollow;
  /** CCR metadata remains after pause, goes away on unfollow. */
  ccr: boolean;
}

/** ES's defaults as es-sim states them: independent of the provider code under test. */
const FOLLOW_DEFAULTS: Record<string, unknown> = DEFAULT_FOLLOW_PARAMETERS;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

let uuidCounter = 0;
function newUuid(prefix: string): string {
  uuidCounter += 1;
  return `${prefix}-uuid-${uuidCounter}`;
}

/** A world of fake clusters that can reach each other by transport address. */
export class FakeWorld {
  readonly clusters = new Map<string, FakeCluster>();

  cluster(name: string, transportAddress: string): FakeCluster {
    const c = new FakeCluster(this, name, transportAddress);
    this.clusters.set(name, c);
    return c;
  }

  byAddress(address: string): FakeCluster | undefined {
    return [...this.clusters.values()].find((c) => c.transportAddress === address);
  }

  /** Copies new leader operations into every active, healthy follower whose leader is up. */
  replicate(): void {
    for (const c of this.clusters.values()) c.replicate();
  }
}

export class FakeCluster {
  readonly uuid: string;
  persistent: Record<string, unknown> = {};
  indices = new Map<string, FakeIndex>();
  /** Every request as `METHOD path`. */
  readonly log: string[] = [];
  /** The client's timeout of each request, as `METHOD path` → ms (the last one per request line). */
  readonly timeouts = new Map<string, number>();
  /** When true, every request fails with a connection error (the cluster is down). */
  down = false;
  /** 1-based index of the state-changing request at which "the update process dies". */
  private crashAt: number | undefined;
  private crashMode: "before" | "after" = "before";
  private mutations = 0;
  private crashed = false;

  constructor(
    readonly world: FakeWorld,
    readonly name: string,
    readonly transportAddress: string,
  ) {
    this.uuid = newUuid(`cluster-${name}`);
  }

  /** An `Es` handle bound to this cluster through the real client. */
  es(overrides: Partial<Connection> = {}): Es {
    return connect(
      { name: this.name, endpoints: [`http://${this.name}.test:9200`], ...overrides },
      { Connection: this.connectionClass(), maxRetries: 0 },
    );
  }

  /** `connect` replacement for the providers' deps: routes by the connection's name. */
  static connector(world: FakeWorld): (conn: Connection) => Es {
    return (conn: Connection) => {
      const c = world.clusters.get(conn.name ?? "");
      if (!c) throw new Error(`no fake cluster named ${conn.name}`);
      return connect(conn, { Connection: c.connectionClass(), maxRetries: 0 });
    };
  }

  /** From the `n`-th state-changing request on, fail everything (applying that request first when mode is "after"). */
  crashOnMutation(n: number, mode: "before" | "after" = "before"): void {
    this.crashAt = n;
    this.crashMode = mode;
    this.mutations = 0;
    this.crashed = false;
  }

  /** Back up after a crash, with no crash armed. */
  recover(): void {
    this.crashAt = undefined;
    this.crashed = false;
    this.down = false;
  }

  /** Number of state-changing requests seen since the last `crashOnMutation`/`resetCounter`. */
  get mutationCount(): number {
    return this.mutations;
  }

  resetCounter(): void {
    this.mutations = 0;
  }

  // ---- test helpers -------------------------------------------------------------------

  createIndex(name: string, docs: Record<string, Record<string, unknown>> = {}): FakeIndex {
    const idx: FakeIndex = {
      uuid: newUuid(`${this.name}-${name}`),
      open: true,
      settings: { "index.number_of_shards": "1", "index.number_of_replicas": "1" },
      properties: {},
      docs: new Map(),
      maxSeqNo: -1,
      ccr: false,
    };
    this.indices.set(name, idx);
    for (const [id, src] of Object.entries(docs)) this.writeDoc(name, id, src);
    return idx;
  }

  writeDoc(index: string, id: string, source: Record<string, unknown>): number {
    const idx = this.mustIndex(index);
    if (idx.ccr)
      throw new HttpError(403, "status_exception", "a following engine does not accept operations without an assigned sequence number");
    if (!idx.open) throw new HttpError(400, "index_closed_exception", "closed");
    if (idx.settings["index.blocks.write"] === "true") {
      throw new HttpError(403, "cluster_block_exception", `index [${index}] blocked by: [FORBIDDEN/8/index write (api)];`);
    }
    idx.maxSeqNo += 1;
    idx.docs.set(id, { seq: idx.maxSeqNo, source });
    return idx.maxSeqNo;
  }

  index(name: string): FakeIndex | undefined {
    return this.indices.get(name);
  }

  registerRemote(alias: string, target: FakeCluster): void {
    this.persistent[`cluster.remote.${alias}.mode`] = "proxy";
    this.persistent[`cluster.remote.${alias}.proxy_address`] = target.transportAddress;
  }

  replicate(): void {
    for (const idx of this.indices.values()) {
      const f = idx.follow;
      if (!f || !f.active || f.fatal || !idx.ccr) continue;
      const leaderCluster = this.resolve(f.alias);
      const leader = leaderCluster && !leaderCluster.down ? leaderCluster.indices.get(f.leaderIndex) : undefined;
      if (!leader) continue;
      for (const [id, d] of leader.docs) {
        if (d.seq > idx.maxSeqNo || !idx.docs.has(id) || idx.docs.get(id)!.seq < d.seq) idx.docs.set(id, { ...d });
      }
      idx.maxSeqNo = Math.max(idx.maxSeqNo, leader.maxSeqNo);
      idx.meta = leader.meta === undefined ? undefined : structuredClone(leader.meta);
    }
  }

  resolve(alias: string): FakeCluster | undefined {
    const addr = this.persistent[`cluster.remote.${alias}.proxy_address`];
    const seeds = this.persistent[`cluster.remote.${alias}.seeds`];
    const address = typeof addr === "string" ? addr : Array.isArray(seeds) ? String(seeds[0]) : undefined;
    return address ? this.world.byAddress(address) : undefined;
  }

  // ---- wire ---------------------------------------------------------------------------

  connectionClass(): typeof BaseConnection {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const cluster = this;
    return class FakeConnection extends BaseConnection {
      override async request(
        params: { method: string; path: string; querystring?: string; body?: unknown },
        options?: { timeout?: number },
      ): Promise<never> {
        if (options?.timeout !== undefined) cluster.timeouts.set(`${params.method} ${params.path}`, options.timeout);
        return cluster.handleWire(params) as never;
      }
    } as unknown as typeof BaseConnection;
  }

  private handleWire(params: { method: string; path: string; querystring?: string; body?: unknown }): {
    body: string;
    statusCode: number;
    headers: Record<string, string>;
  } {
    const headers = { "content-type": "application/json", "x-elastic-product": "Elasticsearch" };
    this.log.push(`${params.method} ${params.path}`);
    if (this.down || this.crashed) throw new transportErrors.ConnectionError(`connect ECONNREFUSED (${this.name})`);
    const mutating = params.method !== "GET" && params.method !== "HEAD" && !/\/_search$|\/_refresh$/.test(params.path);
    let crashAfter = false;
    if (mutating) {
      this.mutations += 1;
      if (this.crashAt !== undefined && this.mutations >= this.crashAt) {
        if (this.crashMode === "before") {
          this.crashed = true;
          throw new transportErrors.ConnectionError(`connect ECONNREFUSED (${this.name} crashed)`);
        }
        crashAfter = true;
      }
    }
    const query = new URLSearchParams(params.querystring ?? "");
    const raw = params.body === undefined || params.body === null ? undefined : String(params.body);
    let result: { status: number; body: unknown };
    try {
      result = { status: 200, body: this.route(params.method, params.path, query, raw) };
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      const error = { root_cause: [{ type: e.type, reason: e.reason }], type: e.type, reason: e.reason, ...e.extra };
      result = { status: e.status, body: { error, status: e.status } };
    }
    if (crashAfter) {
      this.crashed = true;
      throw new transportErrors.ConnectionError(`connection reset (${this.name} crashed after applying)`);
    }
    return { body: JSON.stringify(result.body), statusCode: result.status, headers };
  }

  private mustIndex(name: string): FakeIndex {
    const idx = this.indices.get(name);
    if (!idx) throw new HttpError(404, "index_not_found_exception", `no such index [${name}]`, { index: name, index_uuid: "_na_" });
    return idx;
  }

  private route(method: string, path: string, _q: URLSearchParams, raw: string | undefined): unknown {
    const body = (): Record<string, unknown> => (raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const key = `${method} /${parts.map((p, i) => (i === 0 && !p.startsWith("_") ? "{i}" : p)).join("/")}`;
    const name = parts[0] ?? "";
    switch (key) {
      case "GET /":
        return {
          name: "node-1",
          cluster_name: this.name,
          cluster_uuid: this.uuid,
          version: { number: "8.19.2" },
          tagline: "You Know, for Search",
        };
      case "GET /_cluster/settings":
        return { persistent: { ...this.persistent }, transient: {} };
      case "PUT /_cluster/settings": {
        const persistent = (body()["persistent"] ?? {}) as Record<string, unknown>;
        for (const [k, v] of Object.entries(persistent)) {
          if (v === null) delete this.persistent[k];
          else this.persistent[k] = Array.isArray(v) ? v.map(String) : String(v);
        }
        return { acknowledged: true, persistent, transient: {} };
      }
      case "GET /_remote/info": {
        const out: Record<string, unknown> = {};
        const aliases = new Set(
          Object.keys(this.persistent)
            .filter((k) => k.startsWith("cluster.remote."))
            .map((k) => k.split(".")[2]!),
        );
        for (const alias of aliases) {
          const target = this.resolve(alias);
          const mode = String(this.persistent[`cluster.remote.${alias}.mode`] ?? "sniff");
          out[alias] = {
            connected: target !== undefined && !target.down,
            mode,
            ...(mode === "proxy"
              ? { proxy_address: this.persistent[`cluster.remote.${alias}.proxy_address`], server_name: "", num_proxy_sockets_connected: 1 }
              : { seeds: this.persistent[`cluster.remote.${alias}.seeds`] ?? [], num_nodes_connected: 1 }),
            skip_unavailable: String(this.persistent[`cluster.remote.${alias}.skip_unavailable`] ?? "true") === "true",
          };
        }
        return out;
      }
      case "PUT /{i}/_ccr/follow":
        return this.follow(name, body());
      case "POST /{i}/_ccr/pause_follow": {
        const idx = this.mustIndex(name);
        if (!idx.ccr) throw new HttpError(400, "illegal_argument_exception", `index [${name}] is not a follower index`);
        if (!idx.follow?.active) throw new HttpError(400, "illegal_argument_exception", `no shard follow tasks for [${name}]`);
        idx.follow.active = false;
        delete idx.follow.fatal;
        return { acknowledged: true };
      }
      case "POST /{i}/_ccr/resume_follow": {
        const idx = this.mustIndex(name);
        if (!idx.ccr || !idx.follow)
          throw new HttpError(400, "illegal_argument_exception", `follow index [${name}] does not have ccr metadata`);
        if (idx.follow.active) throw new HttpError(400, "resource_already_exists_exception", `task with id {${idx.uuid}-0} already exist`);
        if (!idx.open) throw new HttpError(400, "illegal_argument_exception", "leader and follow index must be open");
        idx.follow.active = true;
        idx.follow.parameters = { ...FOLLOW_DEFAULTS, ...body() };
        return { acknowledged: true };
      }
      case "POST /{i}/_ccr/unfollow": {
        const idx = this.mustIndex(name);
        if (!idx.ccr) throw new HttpError(400, "illegal_argument_exception", `index [${name}] is not a follower index`);
        if (idx.open)
          throw new HttpError(
            400,
            "illegal_argument_exception",
            `cannot convert the follower index [${name}] to a non-follower, because it has not been closed`,
          );
        if (idx.follow?.active)
          throw new HttpError(
            400,
            "illegal_argument_exception",
            `cannot convert the follower index [${name}] to a non-follower, because it has not been paused`,
          );
        const leader = idx.follow ? this.resolve(idx.follow.alias) : undefined;
        idx.ccr = false;
        delete idx.follow;
        if (!leader || leader.down) {
          throw new HttpError(500, "exception", "failed to remove retention lease(s) on the leader", {
            failed_to_remove_retention_leases: [`${name}/0`],
          });
        }
        return { acknowledged: true };
      }
      case "GET /{i}/_ccr/info": {
        const idx = this.mustIndex(name);
        if (!idx.ccr || !idx.follow) return { follower_indices: [] };
        const f = idx.follow;
        return {
          follower_indices: [
            {
              follower_index: name,
              remote_cluster: f.alias,
              leader_index: f.leaderIndex,
              status: f.active ? "active" : "paused",
              ...(f.active ? { parameters: f.parameters } : {}),
            },
          ],
        };
      }
      case "GET /{i}/_ccr/stats": {
        const idx = this.indices.get(name);
        if (!idx?.follow?.active) {
          throw new HttpError(404, "resource_not_found_exception", `No shard follow tasks for follower indices [${name}]`);
        }
        const leader = this.resolve(idx.follow.alias)?.indices.get(idx.follow.leaderIndex);
        const lmax = leader?.maxSeqNo ?? idx.maxSeqNo;
        return {
          indices: [
            {
              index: name,
              total_global_checkpoint_lag: Math.max(0, lmax - idx.maxSeqNo),
              shards: [
                {
                  remote_cluster: idx.follow.alias,
                  leader_index: idx.follow.leaderIndex,
                  follower_index: name,
                  shard_id: 0,
                  leader_global_checkpoint: lmax,
                  leader_max_seq_no: lmax,
                  follower_global_checkpoint: idx.maxSeqNo,
                  follower_max_seq_no: idx.maxSeqNo,
                  read_exceptions: [],
                  ...(idx.follow.fatal ? { fatal_exception: { type: "resource_not_found_exception", reason: idx.follow.fatal } } : {}),
                },
              ],
            },
          ],
        };
      }
      case "GET /{i}": {
        const idx = this.mustIndex(name);
        const settings: Record<string, string> = { ...idx.settings, "index.uuid": idx.uuid };
        return { [name]: { aliases: {}, mappings: { ...(idx.meta ? { _meta: idx.meta } : {}), properties: idx.properties }, settings } };
      }
      case "PUT /{i}": {
        if (this.indices.has(name)) {
          throw new HttpError(400, "resource_already_exists_exception", `index [${name}/${this.indices.get(name)!.uuid}] already exists`);
        }
        const idx = this.createIndex(name);
        const mappings = (body()["mappings"] ?? {}) as Record<string, unknown>;
        if (mappings["_meta"]) idx.meta = mappings["_meta"] as Record<string, unknown>;
        idx.properties = (mappings["properties"] ?? {}) as Record<string, unknown>;
        return { acknowledged: true, shards_acknowledged: true, index: name };
      }
      case "GET /_cat/indices/{i}":
        throw new Error("unreachable");
      case "PUT /{i}/_settings": {
        const idx = this.mustIndex(name);
        const settings = flat((body()["settings"] ?? body()) as Record<string, unknown>);
        for (const [k, v] of Object.entries(settings)) {
          const full = k.startsWith("index.") ? k : `index.${k}`;
          if (v === null) delete idx.settings[full];
          else idx.settings[full] = String(v);
        }
        return { acknowledged: true };
      }
      case "POST /{i}/_close":
        this.mustIndex(name).open = false;
        return { acknowledged: true, shards_acknowledged: true, indices: { [name]: { closed: true } } };
      case "POST /{i}/_open":
        this.mustIndex(name).open = true;
        return { acknowledged: true, shards_acknowledged: true };
      case "DELETE /{i}":
        this.mustIndex(name);
        this.indices.delete(name);
        return { acknowledged: true };
      case "GET /{i}/_mapping": {
        const idx = this.mustIndex(name);
        return { [name]: { mappings: { ...(idx.meta ? { _meta: idx.meta } : {}), properties: idx.properties } } };
      }
      case "PUT /{i}/_mapping": {
        const idx = this.mustIndex(name);
        if (idx.ccr) {
          throw new HttpError(
            403,
            "status_exception",
            `can't put mapping to the following indices [${name}]; the mapping of the following indices are self-replicated from its leader indices`,
          );
        }
        const b = body();
        if (b["_meta"] !== undefined) idx.meta = b["_meta"] as Record<string, unknown>;
        return { acknowledged: true };
      }
      case "PUT /{i}/_block/write": {
        const idx = this.mustIndex(name);
        if (!idx.open) throw new HttpError(400, "index_closed_exception", "closed");
        idx.settings["index.blocks.write"] = "true";
        return { acknowledged: true, shards_acknowledged: true, indices: [{ name, blocked: true }] };
      }
      case "GET /{i}/_stats": {
        const idx = this.mustIndex(name);
        if (!idx.open) throw new HttpError(400, "index_closed_exception", "closed");
        return {
          indices: {
            [name]: {
              uuid: idx.uuid,
              shards: {
                "0": [
                  {
                    routing: { primary: true },
                    seq_no: { max_seq_no: idx.maxSeqNo, local_checkpoint: idx.maxSeqNo, global_checkpoint: idx.maxSeqNo },
                  },
                ],
              },
            },
          },
        };
      }
      case "POST /{i}/_refresh":
      case "GET /{i}/_refresh":
        this.mustIndex(name);
        return { _shards: { total: 1, successful: 1, failed: 0 } };
      case "POST /{i}/_search":
      case "GET /{i}/_search":
        return this.search(name, body());
      case "POST /_bulk":
      case "PUT /_bulk":
        return this.bulk(raw ?? "");
      default:
        if (method === "GET" && parts[0] === "_cat" && parts[1] === "indices" && parts[2]) {
          const idx = this.mustIndex(parts[2]);
          return [{ index: parts[2], status: idx.open ? "open" : "close" }];
        }
        throw new HttpError(400, "error", `no handler found for uri [${path}] and method [${method}]`);
    }
  }

  private follow(name: string, b: Record<string, unknown>): unknown {
    const alias = String(b["remote_cluster"]);
    const leaderName = String(b["leader_index"]);
    const leaderCluster = this.resolve(alias);
    if (!this.persistent[`cluster.remote.${alias}.mode`] && !leaderCluster) {
      throw new HttpError(404, "no_such_remote_cluster_exception", `no such remote cluster: [${alias}]`);
    }
    if (!leaderCluster || leaderCluster.down) {
      throw new HttpError(
        400,
        "status_exception",
        `can not fetch remote index [${alias}:${leaderName}] metadata as the license state of the remote cluster [${alias}] could not be determined`,
      );
    }
    const leader = leaderCluster.indices.get(leaderName);
    if (!leader) throw new HttpError(404, "index_not_found_exception", `no such index [${leaderName}]`);
    const existing = this.indices.get(name);
    if (existing?.open) {
      throw new HttpError(
        500,
        "snapshot_restore_exception",
        `[_ccr_${alias}:_latest_/_latest_] cannot restore index [${name}] because an open index with same name already exists in the cluster.`,
      );
    }
    if (existing) throw new HttpError(400, "resource_already_exists_exception", `index [${name}] already exists`);
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) if (k in FOLLOW_DEFAULTS) params[k] = v;
    const settings = flat((b["settings"] ?? {}) as Record<string, unknown>);
    const idx = this.createIndex(name);
    for (const [k, v] of Object.entries(settings)) idx.settings[k.startsWith("index.") ? k : `index.${k}`] = String(v);
    for (const [id, d] of leader.docs) idx.docs.set(id, { ...d });
    idx.maxSeqNo = leader.maxSeqNo;
    idx.meta = leader.meta === undefined ? undefined : structuredClone(leader.meta);
    idx.properties = structuredClone(leader.properties);
    idx.ccr = true;
    idx.follow = { alias, leaderIndex: leaderName, leaderUuid: leader.uuid, active: true, parameters: { ...FOLLOW_DEFAULTS, ...params } };
    return { follow_index_created: true, follow_index_shards_acked: true, index_following_started: true };
  }

  private search(name: string, b: Record<string, unknown>): unknown {
    const idx = this.mustIndex(name);
    if (!idx.open) throw new HttpError(400, "index_closed_exception", "closed");
    const gt = Number((b["query"] as { range?: { _seq_no?: { gt?: number } } })?.range?._seq_no?.gt ?? -Infinity);
    const after = Array.isArray(b["search_after"]) ? Number((b["search_after"] as unknown[])[0]) : -Infinity;
    const size = Number(b["size"] ?? 10);
    const hits = [...idx.docs.entries()]
      .filter(([, d]) => d.seq > gt && d.seq > after)
      .sort((x, y) => x[1].seq - y[1].seq)
      .slice(0, size)
      .map(([id, d]) => ({ _index: name, _id: id, _seq_no: d.seq, _primary_term: 1, _source: d.source, sort: [d.seq] }));
    return { hits: { total: { value: hits.length, relation: "eq" }, hits } };
  }

  private bulk(raw: string): unknown {
    const lines = raw
      .split("\n")
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i]!["index"] as { _index: string; _id: string };
      try {
        if (!this.indices.has(action._index)) this.createIndex(action._index);
        this.writeDoc(action._index, action._id, lines[i + 1]!);
        items.push({ index: { _index: action._index, _id: action._id, status: 201, result: "created" } });
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        errors = true;
        items.push({ index: { _index: action._index, _id: action._id, status: e.status, error: { type: e.type, reason: e.reason } } });
      }
    }
    return { took: 1, errors, items };
  }
}

function flat(v: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof val === "object" && val !== null && !Array.isArray(val)) Object.assign(out, flat(val as Record<string, unknown>, key));
    else out[key] = val;
  }
  return out;
}
