/**
 * The connection as the resources store it: the non-secret part as input `connection`, the
 * secret part as input `credentials` (wrapped in `pulumi.secret` by the resource classes and
 * listed in `additionalSecretOutputs`), so that endpoints stay readable in previews while
 * passwords and API keys are ciphertext in the state.
 */
import type { Connection } from "../../es/connection";
import { type Failures, UNKNOWN } from "./check";

/** Non-secret part of a connection (input `connection`). */
export interface ConnectionState {
  name?: string;
  endpoints: string[];
  caCertificate?: string;
  requestTimeoutMs?: number;
}

/** Secret part of a connection (input `credentials`). */
export interface Credentials {
  username?: string;
  password?: string;
  apiKey?: string;
}

/** The program-facing connection type, split into its stored halves. */
export function splitConnection(c: Connection): { connection: ConnectionState; credentials: Credentials } {
  const connection: ConnectionState = { endpoints: typeof c.endpoints === "string" ? [c.endpoints] : [...(c.endpoints ?? [])] };
  if (c.name !== undefined) connection.name = c.name;
  if (c.caCertificate !== undefined) connection.caCertificate = c.caCertificate;
  if (c.requestTimeoutMs !== undefined) connection.requestTimeoutMs = c.requestTimeoutMs;
  const credentials: Credentials = {};
  if (c.basicAuth) {
    credentials.username = c.basicAuth.username;
    credentials.password = c.basicAuth.password;
  }
  if (c.apiKey !== undefined) credentials.apiKey = c.apiKey;
  return { connection, credentials };
}

/** The stored halves joined back into a {@link Connection}. */
export function joinConnection(state: ConnectionState, creds: Credentials | undefined): Connection {
  const c: Connection = { endpoints: state.endpoints };
  if (state.name !== undefined) c.name = state.name;
  if (state.caCertificate !== undefined) c.caCertificate = state.caCertificate;
  if (state.requestTimeoutMs !== undefined) c.requestTimeoutMs = state.requestTimeoutMs;
  if (creds?.apiKey) c.apiKey = creds.apiKey;
  else if (creds?.username !== undefined || creds?.password !== undefined) {
    c.basicAuth = { username: creds.username ?? "", password: creds.password ?? "" };
  }
  return c;
}

/** Validates one stored connection pair; `prefix` names it (`connection` or `leaderConnection`). */
export function checkConnection(f: Failures, prefix: string, credsProperty: string, conn: unknown, creds: unknown): void {
  if (conn === UNKNOWN) return;
  if (typeof conn !== "object" || conn === null) {
    f.add(prefix, `${prefix} is required: { endpoints: ["http://host:9200"], ... }.`);
    return;
  }
  const c = conn as Record<string, unknown>;
  const endpoints = c["endpoints"];
  if (endpoints !== UNKNOWN) {
    if (!Array.isArray(endpoints) || endpoints.length === 0) {
      f.add(`${prefix}.endpoints`, `${prefix}.endpoints must list at least one http(s) URL of the cluster.`);
    } else {
      endpoints.forEach((e, i) => {
        if (e === UNKNOWN) return;
        const problem = endpointProblem(e);
        if (problem) f.add(`${prefix}.endpoints[${i}]`, `${prefix}.endpoints[${i}] ${problem}.`);
      });
    }
  }
  f.optionalString(`${prefix}.name`, c["name"]);
  f.optionalInteger(`${prefix}.requestTimeoutMs`, c["requestTimeoutMs"], 1, 600_000);
  const ca = c["caCertificate"];
  if (ca !== undefined && ca !== null && ca !== UNKNOWN && (typeof ca !== "string" || !ca.includes("-----BEGIN CERTIFICATE-----"))) {
    f.add(`${prefix}.caCertificate`, `${prefix}.caCertificate must be a PEM certificate ("-----BEGIN CERTIFICATE-----…").`);
  }
  if (creds === UNKNOWN || creds === undefined || creds === null) return;
  if (typeof creds !== "object") {
    f.add(credsProperty, `${credsProperty} must be an object.`);
    return;
  }
  const k = creds as Record<string, unknown>;
  const hasUser = k["username"] !== undefined && k["username"] !== null;
  const hasPassword = k["password"] !== undefined && k["password"] !== null;
  const hasKey = k["apiKey"] !== undefined && k["apiKey"] !== null;
  // Never echo credential values in a reason: they would be printed by `pulumi preview`.
  if (hasUser !== hasPassword) f.add(`${prefix}.basicAuth`, `${prefix}.basicAuth needs both username and password.`);
  if (hasKey && (hasUser || hasPassword)) f.add(`${prefix}.apiKey`, `${prefix} takes either basicAuth or apiKey, not both.`);
  for (const key of ["username", "password", "apiKey"]) {
    const v = k[key];
    if (v !== undefined && v !== null && v !== UNKNOWN && (typeof v !== "string" || v.length === 0)) {
      f.add(`${prefix}.${key === "apiKey" ? "apiKey" : `basicAuth.${key}`}`, `${prefix} ${key} must be a non-empty string.`);
    }
  }
}

/** Why `e` is not a usable endpoint URL, or `undefined`. */
export function endpointProblem(e: unknown): string | undefined {
  if (typeof e !== "string") return "must be a URL string";
  let u: URL;
  try {
    u = new URL(e);
  } catch {
    return e.includes("@")
      ? "is not a URL (expected e.g. http://127.0.0.1:9200)"
      : `"${e}" is not a URL (expected e.g. http://127.0.0.1:9200)`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `must use http or https, not ${u.protocol}`;
  if (u.username || u.password) return "must not embed credentials; use basicAuth or apiKey (they are stored as secrets)";
  return undefined;
}
