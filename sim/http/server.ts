/**
 * The HTTP front of es-sim (`node:http`), behaving like ES's `RestController`: media-type and
 * compatible-with checks, routing (400 "no handler found", 405 with `Allow`), unknown-parameter
 * rejection with "did you mean", body size limit (413), authentication and authorization when
 * `xpack.security.enabled` (sim/security: native users, roles, ES's 401 and 403), one
 * error renderer, and `X-elastic-product: Elasticsearch` on every response. Never crashes on input.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EsError, errors } from "../engine/errors";
import { GLOBAL_PARAMS, RequestContext, unrecognized, type Method, type NodeServices, type Reply, type RouteDef } from "./context";
import { humanBytes } from "../ccr/shardFollowTask";
import { decodeUtf8 } from "./json";
import { applyFilterPath, errorEnvelope, PRODUCT_HEADER, serialize, simpleError } from "./render";
import { Router, splitPath } from "./router";
import { allRoutes } from "./routes";
import type { Subject } from "../security/authz";

/** ES's default `http.max_content_length`. */
export const DEFAULT_MAX_CONTENT_LENGTH = 100 * 1024 * 1024;
/**
 * es-sim's default `network.breaker.inflight_requests.limit`. ES's default is 100% of the JVM heap;
 * es-sim has no such heap, so it takes a fixed 1gb: with ES's overhead of 2, at most 512mb of
 * request bodies are held in memory at once.
 */
export const DEFAULT_IN_FLIGHT_LIMIT = 1024 * 1024 * 1024;
/** ES's default `network.breaker.inflight_requests.overhead`. */
export const DEFAULT_IN_FLIGHT_OVERHEAD = 2;

/**
 * The `in_flight_requests` circuit breaker (ES's ChildMemoryCircuitBreaker of that name): the
 * bytes of every request body being received, across all connections. A chunk that would take the
 * estimate (used × overhead) over the limit trips it; the request's bytes are released when its
 * body is complete and handled, or abandoned.
 */
export class InFlightBreaker {
  used = 0;
  /** How often it tripped (`_nodes/stats` `breakers.in_flight_requests.tripped`). */
  tripped = 0;
  constructor(
    readonly limit: number,
    readonly overhead: number,
  ) {}

  /** Adds `bytes`, or returns the estimate that would exceed the limit (nothing added then). */
  tryAdd(bytes: number): number | undefined {
    const wanted = Math.floor((this.used + bytes) * this.overhead);
    if (this.limit >= 0 && wanted > this.limit) {
      this.tripped++;
      return wanted;
    }
    this.used += bytes;
    return undefined;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  /** ES's `circuit_breaking_exception` (429, durability TRANSIENT) for an estimate of `wanted`. */
  error(wanted: number): EsError {
    return new EsError(
      "circuit_breaking_exception",
      429,
      `[in_flight_requests] Data too large, data for [<http_request>] would be [${wanted}/${humanBytes(wanted)}], which is larger than the limit of [${this.limit}/${humanBytes(this.limit)}]`,
      { bytes_wanted: wanted, bytes_limit: this.limit, durability: "TRANSIENT" },
    );
  }
}
const METHODS: Method[] = ["GET", "HEAD", "POST", "PUT", "DELETE"];
const JSON_TYPES = ["application/json", "application/x-ndjson"];
const VENDOR_RE = /^application\/vnd\.elasticsearch\+([a-z-]+)\s*(?:;\s*compatible-with\s*=\s*(\d+))?/i;

/** Options of the HTTP server. */
export interface HttpServerOptions {
  /** What the handlers call: the cluster state and the CCR service. */
  services: NodeServices;
  host: string;
  port: number;
  maxContentLength?: number;
  /** `network.breaker.inflight_requests.limit` in bytes (-1: no limit) and `.overhead`. */
  inFlight?: { limit?: number; overhead?: number };
  /** Routes added by an embedder; they take precedence over the built-in table. */
  extraRoutes?: RouteDef[];
  /** Called for unexpected (non-ES) errors, which answer 500. */
  onInternalError?: (error: unknown) => void;
}

/** A started HTTP server. */
export interface RunningHttpServer {
  server: Server;
  /** The in-flight requests breaker, for `_nodes/stats`. */
  inFlight: InFlightBreaker;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the REST server; resolves once listening. */
export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const router = new Router([...(opts.extraRoutes ?? []), ...allRoutes]);
  const max = opts.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
  const breaker = new InFlightBreaker(
    opts.inFlight?.limit ?? DEFAULT_IN_FLIGHT_LIMIT,
    opts.inFlight?.overhead ?? DEFAULT_IN_FLIGHT_OVERHEAD,
  );
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res, router, opts, max, breaker).catch((e) => {
      opts.onInternalError?.(e);
      try {
        if (!res.headersSent)
          send(
            res,
            500,
            { "X-elastic-product": PRODUCT_HEADER, "Content-Type": "application/json" },
            JSON.stringify(simpleError(500, String(e))),
          );
      } catch {
        res.destroy();
      }
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    server,
    inFlight: breaker,
    port,
    url: `http://${hostForUrl === "0.0.0.0" ? "127.0.0.1" : hostForUrl}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | undefined,
  head = false,
): void {
  const buf = body === undefined ? undefined : Buffer.from(body, "utf8");
  res.writeHead(status, { ...headers, "Content-Length": String(head || !buf ? 0 : buf.length) });
  res.end(head ? undefined : buf);
}

type BodyResult = { body: Buffer; release: () => void } | { tooLarge: true } | { tripped: number };

/**
 * Reads the body up to `max` bytes, counting it in the in-flight breaker as it arrives. A body that
 * trips the breaker is dropped at once (its bytes released, the rest discarded); the caller
 * releases a complete body's bytes once the request is answered.
 */
function readBody(req: IncomingMessage, max: number, breaker: InFlightBreaker): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let counted = 0;
    let done = false;
    const release = () => {
      breaker.release(counted);
      counted = 0;
    };
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      chunks = [];
      resolve(r);
    };
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        release();
        finish({ tooLarge: true });
        return;
      }
      const wanted = breaker.tryAdd(c.length);
      if (wanted !== undefined) {
        release();
        finish({ tripped: wanted });
        return;
      }
      counted += c.length;
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      finish({ body, release });
    });
    // an abandoned upload (client gone mid-body) frees its bytes
    req.on("close", () => {
      if (!done) {
        release();
        done = true;
        chunks = [];
      }
    });
    req.on("error", (e) => {
      if (!done) release();
      done = true;
      reject(e);
    });
  });
}

/** Checks `compatible-with` on Accept/Content-Type as an 8.x server does. */
function checkCompatibility(req: IncomingMessage, hasContent: boolean): { vendor: boolean; version?: string } {
  const accept = req.headers.accept;
  const contentType = req.headers["content-type"];
  const av = accept ? VENDOR_RE.exec(accept) : null;
  const cv = contentType ? VENDOR_RE.exec(contentType) : null;
  const bad = (reason: string) =>
    new EsError(
      "media_type_header_exception",
      400,
      "Invalid media-type value on headers [Accept, Content-Type]",
      {},
      errors.status(400, reason),
    );
  if (av && av[2] !== undefined && av[2] !== "7" && av[2] !== "8") {
    throw bad(`Accept version must be either version 8 or 7, but found ${av[2]}. Accept=${accept}`);
  }
  if (hasContent && cv && cv[2] !== undefined && cv[2] !== "7" && cv[2] !== "8") {
    throw bad(`Content-Type version must be either version 8 or 7, but found ${cv[2]}. Content-Type=${contentType}`);
  }
  if (hasContent && av?.[2] && cv?.[2] && av[2] !== cv[2]) {
    throw bad(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept}, Content-Type=${contentType}`,
    );
  }
  const version = av?.[2] ?? cv?.[2];
  return { vendor: !!(av || cv), version };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  router: Router,
  opts: HttpServerOptions,
  max: number,
  breaker: InFlightBreaker,
): Promise<void> {
  const baseHeaders: Record<string, string | string[]> = { "X-elastic-product": PRODUCT_HEADER };
  const rawUrl = req.url ?? "/";
  const method = (req.method ?? "GET").toUpperCase();
  const isHead = method === "HEAD";
  const qIndex = rawUrl.indexOf("?");
  const rawPath = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl;
  const query: Record<string, string> = {};
  if (qIndex >= 0) for (const [k, v] of new URLSearchParams(rawUrl.slice(qIndex + 1))) query[k] = v;
  const pretty = query.pretty !== undefined && query.pretty !== "false";
  let jsonType = "application/json";

  const reply = (status: number, body: unknown, extra: Record<string, string | string[]> = {}) => {
    const filtered = query.filter_path && body !== undefined && status < 300 ? applyFilterPath(body, query.filter_path) : body;
    send(
      res,
      status,
      { ...baseHeaders, "Content-Type": jsonType, ...extra },
      body === undefined ? undefined : serialize(filtered, pretty),
      isHead,
    );
  };
  const replyError = (e: EsError, extra: Record<string, string | string[]> = {}) => reply(e.status, errorEnvelope(e), extra);

  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    // ES (Netty's aggregator) answers 413 with an empty body and drops the connection
    res.shouldKeepAlive = false;
    send(res, 413, { ...baseHeaders, Connection: "close" }, undefined);
    req.resume();
    return;
  }
  const read = await readBody(req, max, breaker);
  if ("tooLarge" in read) {
    res.shouldKeepAlive = false;
    send(res, 413, { ...baseHeaders, Connection: "close" }, undefined);
    return;
  }
  if ("tripped" in read) {
    // ES answers 429 before reading on; es-sim also closes the connection so the rest of the
    // body is never buffered
    res.shouldKeepAlive = false;
    res.on("finish", () => req.socket.destroy());
    req.resume();
    replyError(breaker.error(read.tripped), { Connection: "close" });
    return;
  }
  res.on("close", read.release);
  const bodyBuf = read.body;
  const decoded = bodyBuf.length > 0 ? decodeUtf8(bodyBuf) : undefined;
  let bodyText: string | undefined = decoded?.text;
  if (bodyText === undefined && query.source !== undefined) bodyText = query.source;
  const hasContent = bodyText !== undefined && bodyText.length > 0;

  try {
    const compat = checkCompatibility(req, hasContent);
    if (compat.vendor && compat.version) jsonType = `application/vnd.elasticsearch+json;compatible-with=${compat.version}`;
  } catch (e) {
    replyError(e as EsError);
    return;
  }

  const segments = splitPath(rawPath);
  if (!segments) {
    reply(400, simpleError(400, `no handler found for uri [${rawUrl}] and method [${method}]`));
    return;
  }
  if (method === "OPTIONS") {
    const allowed = METHODS.filter((m) => router.match(m, segments).kind === "found");
    send(res, 200, { ...baseHeaders, Allow: allowed.join(","), "Content-Type": jsonType }, undefined);
    return;
  }
  if (!METHODS.includes(method as Method)) {
    const allowed = METHODS.filter((m) => router.match(m, segments).kind === "found");
    if (allowed.length === 0) reply(400, simpleError(400, `no handler found for uri [${rawUrl}] and method [${method}]`));
    else
      reply(405, simpleError(405, `Incorrect HTTP method for uri [${rawUrl}] and method [${method}], allowed: [${allowed.join(", ")}]`), {
        Allow: allowed.join(","),
      });
    return;
  }
  const match = router.match(method as Method, segments);
  if (match.kind === "not-found") {
    reply(400, simpleError(400, `no handler found for uri [${rawUrl}] and method [${method}]`));
    return;
  }
  if (match.kind === "method-not-allowed") {
    reply(
      405,
      simpleError(405, `Incorrect HTTP method for uri [${rawUrl}] and method [${method}], allowed: [${match.allowed.join(", ")}]`),
      {
        Allow: match.allowed.join(","),
      },
    );
    return;
  }
  const route = match.route;

  let subject: Subject | undefined;
  if (opts.services.security.enabled) {
    const challenge = { "WWW-Authenticate": ['Basic realm="security", charset="UTF-8"', "ApiKey"] };
    try {
      subject = opts.services.security.authenticate(req.headers.authorization, rawUrl);
    } catch (e) {
      const err = e as EsError;
      replyError(
        new EsError(err.type, err.status, err.reason, { header: { "WWW-Authenticate": challenge["WWW-Authenticate"] } }),
        challenge,
      );
      return;
    }
  }

  try {
    if (!route.anyParams) {
      const accepted = new Set([...GLOBAL_PARAMS, ...route.params]);
      const invalid = Object.keys(query).filter((k) => !accepted.has(k));
      if (invalid.length > 0) throw unrecognized(rawPath, invalid, [...accepted]);
    }
    if (hasContent) {
      if (route.body === "none") {
        throw errors.illegalArgument(`request [${method} ${rawPath}] does not support having a body`);
      }
      // a body passed as the `source` parameter takes its type from `source_content_type` (RestRequest)
      const ct = bodyBuf.length === 0 && query.source !== undefined ? query.source_content_type : req.headers["content-type"];
      if (!ct) {
        reply(406, simpleError(406, "Content-Type header is missing"));
        return;
      }
      const base = ct.split(";")[0]!.trim().toLowerCase();
      const vendor = VENDOR_RE.exec(ct);
      const kind = vendor ? vendor[1]!.toLowerCase() : undefined;
      const isJson = JSON_TYPES.includes(base) || kind === "json" || kind === "x-ndjson";
      if (!isJson) {
        if (
          ["application/yaml", "application/cbor", "application/smile"].includes(base) ||
          (kind && ["yaml", "cbor", "smile"].includes(kind))
        ) {
          throw errors.notSupported(`request bodies in [${base}] (only JSON)`);
        }
        reply(406, simpleError(406, `Content-Type header [${ct}] is not supported`));
        return;
      }
    }
    let params = match.params;
    if (subject) {
      const cluster = opts.services.cluster;
      const expanded = opts.services.security.authorizeRest(subject, {
        api: route.api,
        method,
        params,
        query,
        bodyText: hasContent ? bodyText : undefined,
        expand: (expr) => {
          try {
            return cluster.resolve(expr, { expandWildcards: ["all"], ignoreUnavailable: true, allowNoIndices: true });
          } catch {
            return [];
          }
        },
      });
      if (expanded !== undefined) params = { ...params, index: expanded };
    }
    const ctx = new RequestContext(
      opts.services,
      method as Method,
      rawPath,
      params,
      query,
      hasContent ? bodyText : undefined,
      decoded?.problem,
    );
    ctx.subject = subject;
    const out: Reply = await route.handler(ctx);
    const status = out.status ?? 200;
    if (out.text !== undefined) {
      send(res, status, { ...baseHeaders, "Content-Type": "text/plain; charset=UTF-8", ...(out.headers ?? {}) }, out.text, isHead);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) if (v !== undefined) headers[k] = v;
    if (out.body === undefined) {
      send(res, status, { ...baseHeaders, "Content-Type": jsonType, ...headers }, undefined, true);
      return;
    }
    reply(status, out.body, headers);
  } catch (e) {
    if (e instanceof EsError) {
      replyError(e);
      return;
    }
    opts.onInternalError?.(e);
    const reason = e instanceof Error ? e.message : String(e);
    replyError(new EsError("exception", 500, reason));
  }
}
