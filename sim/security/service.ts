/**
 * Security of one es-sim node (`xpack.security.enabled`): authenticates REST requests (HTTP basic
 * auth against the native realm and the reserved `elastic` user), authorizes each route's actions
 * with the user's roles, and authenticates transport peers with cross-cluster API keys whose
 * `replication` access is checked per leader action and index — ES 8's API-key remote cluster
 * model (x-pack `CrossClusterAccessAuthenticationService`), on es-sim's single transport port.
 */
import { EsError } from "../engine/errors";
import { authorize, grantsIndex, isSuperuser, requestActions, SELF_APIS, type AuthzRequest, type Subject } from "./authz";
import { globMatch, indexPrivilegesGranting, REPLICATION_INDEX_PRIVILEGES } from "./privileges";
import type { CrossClusterApiKey, SecurityStore } from "./store";

/** The transport action ES's remote-cluster handshake is (what a peer without credentials is refused). */
export const REMOTE_HANDSHAKE_ACTION = "cluster:internal/remote_cluster/handshake";

/** es-sim's leader actions → the names ES authorizes them under on the remote cluster server. */
const REMOTE_ACTION_NAMES: Record<string, string> = {
  "internal:admin/ccr/restore/session/put": "indices:internal/admin/ccr/restore/session/put",
  "internal:admin/ccr/restore/file_chunk/get": "indices:internal/admin/ccr/restore/file_chunk/get",
  "internal:admin/ccr/restore/session/clear": "indices:internal/admin/ccr/restore/session/clear",
};

export class SecurityService {
  constructor(
    readonly enabled: boolean,
    readonly store: SecurityStore,
  ) {}

  /** The subject of `username` with assigned `roles`. */
  subject(username: string, roles: string[]): Subject {
    const descriptors = new Map<string, NonNullable<ReturnType<SecurityStore["role"]>>>();
    for (const r of roles) {
      const d = this.store.role(r);
      if (d) descriptors.set(r, d);
    }
    return { username, roles, descriptors, realm: username === "elastic" ? "reserved" : "native" };
  }

  /**
   * Authenticates an `Authorization` header for REST request `uri`, or throws ES's 401
   * (`missing authentication credentials…` / `unable to authenticate user […]…`).
   */
  authenticate(header: string | undefined, uri: string): Subject {
    if (!header || !header.startsWith("Basic ")) {
      throw new EsError("security_exception", 401, `missing authentication credentials for REST request [${uri}]`);
    }
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const sep = decoded.indexOf(":");
    const user = sep >= 0 ? decoded.slice(0, sep) : decoded;
    const pass = sep >= 0 ? decoded.slice(sep + 1) : "";
    const found = this.store.authenticate(user, pass);
    if (!found) throw new EsError("security_exception", 401, `unable to authenticate user [${user}] for REST request [${uri}]`);
    return this.subject(found.username, found.roles);
  }

  /**
   * Authorizes a REST request; returns the `{index}` path parameter to use instead when the
   * request named wildcards and the user may see only some of the indices they match (ES
   * replaces wildcards by the authorized names), `undefined` to leave it.
   */
  authorizeRest(subject: Subject, r: AuthzRequest): string | undefined {
    if (SELF_APIS.has(r.api) || isSuperuser(subject)) return undefined;
    const actions = requestActions(r);
    if (actions === undefined) return undefined;
    authorize(subject, actions);
    const expr = r.params.index;
    const wild = expr === undefined || expr === "" || expr.split(",").some((p) => p.trim() === "_all" || p.includes("*"));
    const indexAction = actions.find((a) => a.indices !== undefined);
    if (!wild || !indexAction || r.api === "bulk" || r.api === "mget") return undefined;
    const expanded = r.expand(expr);
    const allowed = expanded.filter((i) => actions.every((a) => a.indices === undefined || grantsIndex(subject, a.action, i)));
    if (allowed.length === expanded.length && expr !== undefined) return undefined;
    const explicit = (expr ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "" && p !== "_all" && !p.includes("*") && !p.startsWith("-"));
    const names = [...new Set([...explicit, ...allowed])];
    // nothing authorized: an expression that matches no index (`*,-*`), as ES's empty authorized set
    return names.length > 0 ? names.join(",") : "*,-*";
  }

  // ---------------------------------------------------------------------------------------------
  // Transport (remote cluster) security.

  /** Authenticates a peer's handshake credentials (an encoded cross-cluster API key). */
  authenticatePeer(credentials: unknown): CrossClusterApiKey {
    if (typeof credentials !== "string" || credentials === "") {
      throw new EsError("security_exception", 401, `missing authentication credentials for action [${REMOTE_HANDSHAKE_ACTION}]`);
    }
    const key = this.store.crossClusterApiKey(credentials);
    if (!key) {
      throw new EsError(
        "security_exception",
        401,
        "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
      );
    }
    return key;
  }

  /** Whether the key's replication access covers `index` for `action`. */
  keyGrants(key: CrossClusterApiKey, action: string, index: string): boolean {
    const wire = REMOTE_ACTION_NAMES[action] ?? action;
    if (!key.replication.some((p) => globMatch(p, index))) return false;
    return REPLICATION_INDEX_PRIVILEGES.some(([, patterns]) => patterns.some((p) => globMatch(p, wire)));
  }

  /** Throws ES's remote denial unless the key grants `action` on every index. */
  authorizePeer(key: CrossClusterApiKey, action: string, indices: string[]): void {
    const wire = REMOTE_ACTION_NAMES[action] ?? action;
    const denied = indices.filter((i) => !this.keyGrants(key, action, i));
    if (denied.length === 0) return;
    const by = [
      ...REPLICATION_INDEX_PRIVILEGES.filter(([, ps]) => ps.some((p) => globMatch(p, wire))).map(([n]) => n),
      ...indexPrivilegesGranting(wire).filter((n) => n === "all"),
    ];
    throw new EsError(
      "security_exception",
      403,
      `action [${wire}] towards remote cluster is unauthorized for user [_system] with assigned roles [] authenticated by API key id [${key.id}] of user [${key.creator}] on indices [${denied.join(",")}], this action is granted by the index privileges [${by.join(",")}]`,
    );
  }
}
