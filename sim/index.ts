/**
 * es-sim in-process: `startSim()` opens the durable storage on `path.data` (taking its lock), loads
 * the engine, and starts the HTTP listener and the transport listener (`sim/transport`, where the
 * CCR layer registers its actions). Used by `sim/main.ts` (the process) and
 * by tools; integration tests use the real process through `test/helpers/sim.ts`.
 */
import { hostname } from "node:os";
import { Cluster, ES_VERSION } from "./engine/cluster";
import * as searchLibrary from "./engine/search";
import type { EngineStorage } from "./engine/storage";
import type { FlatSettings, SearchLibrary } from "./engine/types";
import type { RouteDef } from "./http/context";
import { DEFAULT_MAX_CONTENT_LENGTH, startHttpServer, type RunningHttpServer } from "./http/server";
import { TransportServer } from "./transport/server";
import { PeerConnection } from "./transport/client";
import type { PeerIdentity } from "./transport/protocol";
import { CcrService } from "./ccr/ccrService";
import { DurableStorage } from "./storage/durableStorage";

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
  /** `http.max_content_length` in bytes. */
  maxContentLength?: number;
  /** Other node settings (shown by `include_defaults`; cluster-setting defaults such as `action.auto_create_index`). */
  nodeSettings?: FlatSettings;
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
    storage = await DurableStorage.open(opts.dataDir, { onFatal: opts.onFatal });
  }
  let cluster: Cluster | undefined;
  let http: RunningHttpServer | undefined;
  let transport: TransportServer | undefined;
  let ccr: CcrService | undefined;
  try {
    cluster = await Cluster.open({
      clusterName: opts.clusterName ?? "elasticsearch",
      nodeName: opts.nodeName ?? hostname(),
      storage,
      search: opts.search ?? (searchLibrary as unknown as SearchLibrary),
      nodeSettings: opts.nodeSettings,
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
    transport = await TransportServer.start({ host: opts.transportHost ?? host, port: opts.transportPort ?? 9300, identity });
    const t = transport;
    ccr = new CcrService({
      cluster: c,
      linkFactory: (addresses) => new PeerConnection(addresses, identity),
      nodeSettings: opts.nodeSettings,
      customStore: { get: (key) => c.customMetadata(key), put: (key, value) => c.putCustomMetadata(key, value) },
      log,
    });
    ccr.leader.registerActions((action, handler) => t.register(action, (body) => handler(body)));
    http = await startHttpServer({
      services: { cluster: c, ccr },
      host: opts.httpHost ?? host,
      port: opts.httpPort ?? 9200,
      maxContentLength: opts.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
      security: opts.security,
      extraRoutes: opts.extraRoutes,
      onInternalError: (e) => log(`[es-sim] internal error: ${(e as Error)?.stack ?? String(e)}`),
    });
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
  let closing: Promise<void> | undefined;
  return {
    cluster: cl,
    http: h,
    transport: t,
    ccr: cc,
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
