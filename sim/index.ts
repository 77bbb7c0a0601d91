/**
 * es-sim in-process: `startSim()` opens the durable storage on `path.data` (taking its lock), loads
 * the engine, and starts the HTTP listener and the transport listener (`sim/transport`, where the
 * CCR layer registers its actions). Used by `sim/main.ts` (the process) and
 * by tools; integration tests use the real process through `test/helpers/sim.ts`.
 */
import { randomBytes } from "node:crypto";
import { arch, cpus, freemem, hostname, loadavg, release, totalmem, type as osType } from "node:os";
import { Cluster, ES_VERSION } from "./engine/cluster";
import { timeSlices } from "./engine/slicing";
import * as searchLibrary from "./engine/search";
import type { EngineStorage } from "./engine/storage";
import type { NodeInfo } from "./engine/node";
import type { FlatSettings, SearchLibrary } from "./engine/types";
import type { RouteDef } from "./http/context";
import { DEFAULT_MAX_CONTENT_LENGTH, startHttpServer, type RunningHttpServer } from "./http/server";
import { TransportServer } from "./transport/server";
import { PeerConnection } from "./transport/client";
import type { PeerIdentity } from "./transport/protocol";
import { CcrService } from "./ccr/ccrService";
import { DurableStorage } from "./storage/durableStorage";
import { readKeystore, remoteCredentials } from "./security/keystore";
import { guardLeaderAction } from "./security/leaderAccess";
import { SecurityService } from "./security/service";
import { SecurityStore } from "./security/store";

/**
 * Longest slice of a refresh's indexing before the node answers anything else (ms). Short enough
 * that a request waits at most about this long behind a refresh, long enough that a slice indexes
 * a few hundred ~1 KB documents and the pauses cost next to nothing.
 */
export const REFRESH_SLICE_MS = 10;

/** How to start a sim. */
export interface SimOptions {
  /** `path.data`: where the durable state lives (required unless `storage` is given). */
  dataDir?: string;
  clusterName?: string;
  nodeName?: string;
  /** `http.port`; 0 picks a free port. Default 9200. */
  httpPort?: number;
  /** `transport.port`; 0 picks a free port. Default 9300. */
  transportPort?: number;
  /** `network.host` for both listeners. Default 127.0.0.1. */
  host?: string;
  httpHost?: string;
  transportHost?: string;
  /** `xpack.security.enabled` and the `elastic` user's password (`ELASTIC_PASSWORD`). */
  security?: { enabled: boolean; password?: string };
  /** Secure settings when there is no data dir keystore (tests): `cluster.remote.<alias>.credentials`. */
  secureSettings?: Record<string, string>;
  /** `http.max_content_length` in bytes. */
  maxContentLength?: number;
  /** `network.breaker.inflight_requests.limit` (bytes, -1 none) and `.overhead` (sim/http/server.ts). */
  inFlight?: { limit?: number; overhead?: number };
  /** Other node settings (shown by `include_defaults`; cluster-setting defaults such as `action.auto_create_index`). */
  nodeSettings?: FlatSettings;
  /** Every node setting the process was started with (`-E`), as `GET /_nodes` shows them. */
  startupSettings?: FlatSettings;
  /** Storage override (in-memory for unit tests); the process always uses the durable one. */
  storage?: EngineStorage;
  /** Search library override (tests). */
  search?: SearchLibrary;
  /** Extra REST routes, ahead of the built-in ones (tools embedding a sim). */
  extraRoutes?: RouteDef[];
  /** Where diagnostics go (stderr in the process). */
  log?: (line: string) => void;
  /** Called when storage fails: the process must stop. */
  onFatal?: (error: unknown) => void;
}

/** A running sim. */
export interface Sim {
  cluster: Cluster;
  http: RunningHttpServer;
  transport: TransportServer;
  /** Cross-cluster replication: remote clusters, followers, leader actions, auto-follow. */
  ccr: CcrService;
  /** Users, roles, cross-cluster API keys; REST and transport authentication. */
  security: SecurityService;
  /** `http://host:port` of the REST API. */
  url: string;
  /** `host:port` of the transport listener (what remote-cluster settings point at). */
  transportAddress: string;
  storage: EngineStorage;
  /** Closes listeners, makes everything durable, releases the data-dir lock. */
  close(): Promise<void>;
}

/** Starts a sim. Rejects (and releases the lock) if storage cannot be opened or a port cannot be bound. */
export async function startSim(opts: SimOptions): Promise<Sim> {
  const log = opts.log ?? (() => undefined);
  let storage = opts.storage;
  if (!storage) {
    if (!opts.dataDir) throw new Error("startSim: dataDir (path.data) is required");
    storage = await DurableStorage.open(opts.dataDir, { onFatal: opts.onFatal, log });
  }
  let cluster: Cluster | undefined;
  let http: RunningHttpServer | undefined;
  let transport: TransportServer | undefined;
  let ccr: CcrService | undefined;
  let security: SecurityService | undefined;
  try {
    cluster = await Cluster.open({
      clusterName: opts.clusterName ?? "elasticsearch",
      nodeName: opts.nodeName ?? hostname(),
      storage,
      search: opts.search ?? (searchLibrary as unknown as SearchLibrary),
      nodeSettings: opts.nodeSettings,
      log,
      // a refresh indexes in slices of REFRESH_SLICE_MS, answering requests in between (see sim/engine/slicing.ts)
      slicer: timeSlices(REFRESH_SLICE_MS),
    });
    const c = cluster;
    const host = opts.host ?? "127.0.0.1";
    const identity = (): PeerIdentity => ({
      clusterName: c.clusterName,
      clusterUuid: c.clusterUuid,
      nodeName: c.nodeName,
      nodeId: c.nodeId,
      esVersion: ES_VERSION.number,
    });
    const sec = new SecurityService(opts.security?.enabled === true, await SecurityStore.open(opts.dataDir, opts.security?.password));
    security = sec;
    // the keystore's remote credentials, by alias; replaced by `POST _nodes/reload_secure_settings`
    let credentials = remoteCredentials(opts.dataDir ? readKeystore(opts.dataDir) : (opts.secureSettings ?? {}));
    const links = new Set<{ alias: string; link: PeerConnection }>();
    const reloadSecureSettings = () => {
      const next = remoteCredentials(opts.dataDir ? readKeystore(opts.dataDir) : (opts.secureSettings ?? {}));
      const changed = new Set([...credentials.keys(), ...next.keys()].filter((a) => credentials.get(a) !== next.get(a)));
      credentials = next;
      // ES rebuilds the connections of remotes whose credentials changed
      for (const l of links) if (changed.has(l.alias)) l.link.reconnect();
    };
    transport = await TransportServer.start({
      host: opts.transportHost ?? host,
      port: opts.transportPort ?? 9300,
      identity,
      authenticate: sec.enabled ? (creds) => sec.authenticatePeer(creds) : undefined,
    });
    const t = transport;
    ccr = new CcrService({
      cluster: c,
      linkFactory: (addresses, alias) => {
        const link = new PeerConnection(addresses, identity, () => credentials.get(alias));
        const entry = { alias, link };
        links.add(entry);
        const close = link.close.bind(link);
        link.close = () => {
          links.delete(entry);
          close();
        };
        return link;
      },
      nodeSettings: opts.nodeSettings,
      customStore: { get: (key) => c.customMetadata(key), put: (key, value) => c.putCustomMetadata(key, value) },
      log,
    });
    const sessions = new Map<string, string>();
    ccr.leader.registerActions((action, handler) => {
      const guarded = guardLeaderAction(sec, sessions, action, handler);
      t.register(action, (body, _peer, auth) => guarded(body, auth));
    });
    // filled in once the HTTP listener is bound (its port may be chosen by the OS)
    const described: { node?: NodeInfo } = {};
    http = await startHttpServer({
      services: {
        cluster: c,
        ccr,
        security: sec,
        reloadSecureSettings,
        node: () => {
          if (!described.node) throw new Error("es-sim: node info requested before the listeners were bound");
          return described.node;
        },
      },
      host: opts.httpHost ?? host,
      port: opts.httpPort ?? 9200,
      maxContentLength: opts.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
      inFlight: opts.inFlight,
      extraRoutes: opts.extraRoutes,
      onInternalError: (e) => log(`[es-sim] internal error: ${(e as Error)?.stack ?? String(e)}`),
    });
    described.node = describeNode(opts, c, t, http);
    ccr.start();
  } catch (e) {
    ccr?.close();
    await transport?.close().catch(() => undefined);
    await cluster?.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw e;
  }
  const st = storage;
  const cl = cluster;
  const h = http;
  const t = transport;
  const cc = ccr;
  const secService = security!;
  let closing: Promise<void> | undefined;
  return {
    cluster: cl,
    http: h,
    transport: t,
    ccr: cc,
    security: secService,
    url: h.url,
    transportAddress: t.publishAddress,
    storage: st,
    close: () =>
      (closing ??= (async () => {
        cc.close();
        await h.close();
        await t.close();
        await cl.close();
        await st.close();
      })()),
  };
}

/** The node's own description for `GET /_nodes` and `GET /_cluster/state`, once both listeners are bound. */
function describeNode(opts: SimOptions, cluster: Cluster, transport: TransportServer, http: RunningHttpServer): NodeInfo {
  const transportHost = transport.publishAddress.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const httpAddress = new URL(http.url).host;
  let openConnections = 0;
  let totalConnections = 0;
  http.server.on("connection", (socket) => {
    openConnections++;
    totalConnections++;
    socket.once("close", () => openConnections--);
  });
  const settings: FlatSettings = {
    "cluster.name": cluster.clusterName,
    "node.name": cluster.nodeName,
    "http.port": String(opts.httpPort ?? 9200),
    "transport.port": String(opts.transportPort ?? 9300),
    ...(opts.startupSettings ?? {}),
  };
  if (opts.dataDir) settings["path.data"] = opts.dataDir;
  return {
    ephemeralId: randomBytes(16).toString("base64url"),
    host: transportHost,
    ip: transportHost,
    transportPublishAddress: transport.publishAddress,
    transportBoundAddresses: [transport.publishAddress],
    httpPublishAddress: httpAddress,
    httpBoundAddresses: [httpAddress],
    maxContentLengthBytes: opts.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
    settings,
    startedAt: Date.now(),
    os: { name: osType(), prettyName: osType(), arch: arch(), version: release(), availableProcessors: cpus().length },
    process: { pid: process.pid },
    runtime: { name: "Node.js", version: process.versions.node, vendor: "Node.js" },
    usage: () => {
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      const load = loadavg();
      return {
        timestamp: Date.now(),
        heapUsedBytes: mem.heapUsed,
        heapTotalBytes: mem.heapTotal,
        rssBytes: mem.rss,
        cpuMillis: Math.round((cpu.user + cpu.system) / 1000),
        loadAverage: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
        totalMemoryBytes: totalmem(),
        freeMemoryBytes: freemem(),
        openHttpConnections: openConnections,
        totalHttpConnections: totalConnections,
        inFlight: {
          limit: http.inFlight.limit,
          overhead: http.inFlight.overhead,
          used: http.inFlight.used,
          tripped: http.inFlight.tripped,
        },
      };
    },
  };
}
