/** Typed security calls (rest-api-spec `security.*`). */
import type { Es } from "./connection";
import { call } from "./request";

/** The privileges to ask about: cluster privileges, and index privileges per group of index names or patterns. */
export interface PrivilegesQuery {
  cluster: string[];
  index: Array<{ names: string[]; privileges: string[] }>;
}

/** What the cluster answered for the authenticated user or API key. */
export interface PrivilegesHeld {
  username: string;
  hasAllRequested: boolean;
  /** Each requested cluster privilege: held or not. */
  cluster: Record<string, boolean>;
  /** Per index name or pattern, each requested privilege: held or not. */
  index: Record<string, Record<string, boolean>>;
}

/**
 * `security.has_privileges` (`POST /_security/user/_has_privileges`): which of the requested
 * privileges the credentials of this connection hold. A user without any of them still gets an
 * answer (every value false); only authentication failures and a cluster without the security API
 * are errors.
 */
export async function securityHasPrivileges(es: Es, query: PrivilegesQuery): Promise<PrivilegesHeld> {
  const r = (await call(es, "security.has_privileges", undefined, (c) =>
    c.security.hasPrivileges({ cluster: query.cluster as never, index: query.index as never }),
  )) as unknown as Record<string, unknown>;
  const bools = (v: unknown): Record<string, boolean> =>
    Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, b]) => [k, b === true]));
  return {
    username: String(r["username"] ?? ""),
    hasAllRequested: r["has_all_requested"] === true,
    cluster: bools(r["cluster"]),
    index: Object.fromEntries(Object.entries((r["index"] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, bools(v)])),
  };
}
