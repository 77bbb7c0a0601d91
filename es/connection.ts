/**
 * How the providers and the `ccr-dr` CLI reach one Elasticsearch cluster.
 *
 * Clients are built from the stored inputs on every provider call (docs/providers.md); the only
 * module-level state is {@link connectShared}'s clients, one per connection and credentials, so
 * that the calls of one provider process reuse their sockets. The official client is `require`d
 * inside {@link connect}.
 */
import type { Client } from "@elastic/elasticsearch";

/** Basic authentication for a cluster. The password is a secret. */
export interface BasicAuth {
  username: string;
  password: string;
}

/**
 * Everything needed to talk to one cluster. `basicAuth.password` and `apiKey` are secrets:
 * the resources store them under a separate secret `credentials` input, and no message
 * built by this package ever contains them.
 */
export interface Connection {
  /** Name of the cluster in messages (e.g. `clusterB`); defaults to the first endpoint's host:port. */
  name?: string;
  /** HTTP(S) endpoint URL(s) of the cluster, e.g. `http://127.0.0.1:9200`. No credentials in URLs. */
  endpoints: string[];
  /** Basic authentication; mutually exclusive with `apiKey`. */
  basicAuth?: BasicAuth;
  /** API key (the base64 `id:api_key` form, as sent in `Authorization: ApiKey …`). */
  apiKey?: string;
  /** PEM of the CA that signed the cluster's HTTP certificate. */
  caCertificate?: string;
  /** Per-request timeout; default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
}

/**
 * Bound on one HTTP request. A dead peer must fail a call quickly enough that a `pulumi up`
 * during a disaster does not appear to hang; the providers never call the dead side on
 * purpose, so this only matters for misconfiguration.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Retries of one request on connection errors and timeouts (the client's default is 3).
 * One retry rides over a transient reset without multiplying the timeout by four.
 */
export const MAX_RETRIES = 1;

/** A connected cluster: the client plus what error messages need to say where they came from. */
export interface Es {
  /** The official client. */
  client: Client;
  /** Display name used in every message: `connection.name` or the first endpoint's host:port. */
  cluster: string;
  /** Secret strings to scrub from any text that leaves this package. */
  secrets: string[];
  /** The client's bound on one request (`requestTimeoutMs` or the default). */
  requestTimeoutMs: number;
}

/** Test hook: inject the transport's connection class instead of patching modules. */
export interface ConnectOptions {
  /** A `BaseConnection` subclass from `@elastic/transport`; tests pass an in-memory one. */
  Connection?: unknown;
  /** Overrides {@link MAX_RETRIES} (tests use 0 to skip the transport's retry back-off). */
  maxRetries?: number;
}

/** The name a cluster goes by in messages. Never includes credentials. */
export function clusterLabel(conn: Pick<Connection, "name" | "endpoints">): string {
  if (conn.name) return conn.name;
  const first = conn.endpoints?.[0];
  if (!first) return "(no endpoint)";
  try {
    return new URL(first).host;
  } catch {
    return "(invalid endpoint)";
  }
}

/** The secret strings of a connection, longest first (so that redaction never leaves a suffix). */
export function secretsOf(conn: Connection): string[] {
  const out: string[] = [];
  if (conn.basicAuth?.password) out.push(conn.basicAuth.password);
  if (conn.apiKey) out.push(conn.apiKey);
  return out.sort((a, b) => b.length - a.length);
}

/**
 * Builds a client for `conn`. Requires `@elastic/elasticsearch` lazily, on the first call: the
 * program and the CLI's other commands load this module without needing the client (loader.js
 * preloads it in the provider process).
 */
export function connect(conn: Connection, opts: ConnectOptions = {}): Es {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client: EsClient } = require("@elastic/elasticsearch") as typeof import("@elastic/elasticsearch");
  const auth = conn.apiKey
    ? { apiKey: conn.apiKey }
    : conn.basicAuth
      ? { username: conn.basicAuth.username, password: conn.basicAuth.password }
      : undefined;
  const requestTimeoutMs = conn.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const client = new EsClient({
    nodes: conn.endpoints,
    ...(auth ? { auth } : {}),
    ...(conn.caCertificate ? { tls: { ca: conn.caCertificate } } : {}),
    requestTimeout: requestTimeoutMs,
    maxRetries: opts.maxRetries ?? MAX_RETRIES,
    ...(opts.Connection ? { Connection: opts.Connection as never } : {}),
  });
  return { client, cluster: clusterLabel(conn), secrets: secretsOf(conn), requestTimeoutMs };
}

/** connectShared's clients, by everything that makes a connection (secrets included; kept only in memory). */
const shared = new Map<string, Es>();

/**
 * The same as {@link connect}, but one client per distinct connection and credentials for the life
 * of the process: a provider process runs one call per resource, up to PULUMI_PARALLEL at once,
 * and a client per call opened a new socket (and its TLS handshake) for each of them. The client
 * keeps its sockets open between calls (keep-alive), like any long-lived Elasticsearch client.
 * Never {@link close} a shared client.
 */
export function connectShared(conn: Connection, opts: Pick<ConnectOptions, "maxRetries"> = {}): Es {
  const key = JSON.stringify([
    conn.name ?? null,
    conn.endpoints,
    conn.basicAuth?.username ?? null,
    conn.basicAuth?.password ?? null,
    conn.apiKey ?? null,
    conn.caCertificate ?? null,
    conn.requestTimeoutMs ?? null,
    opts.maxRetries ?? null,
  ]);
  let es = shared.get(key);
  if (!es) {
    es = connect(conn, opts);
    shared.set(key, es);
  }
  return es;
}

/** Closes the client's sockets (the connection is unusable afterwards). */
export function close(es: Es): Promise<void> {
  return es.client.close();
}
