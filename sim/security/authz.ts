/**
 * Role-based authorization as ES's `RBACEngine`: an authenticated subject's roles grant cluster
 * actions through their `cluster` privileges and index actions per index through their `indices`
 * entries; a denied action is ES's 403 `security_exception` in its words (x-pack
 * `AuthorizationDenialMessages.Default`). Also the REST API → transport action table: which
 * action(s) each route performs, on which indices.
 */
import { EsError } from "../engine/errors";
import {
  clusterPrivilegeGrants,
  clusterPrivilegesGranting,
  globMatch,
  indexPrivilegeGrants,
  indexPrivilegesGranting,
  isClusterAction,
  privilegeImplies,
} from "./privileges";
import type { RoleDescriptor } from "./store";

/** Who made a request, with their roles resolved. */
export interface Subject {
  username: string;
  /** Assigned role names. */
  roles: string[];
  /** Assigned roles that exist, by name. */
  descriptors: Map<string, RoleDescriptor>;
  /** `native` or `reserved` (the `elastic` user). */
  realm: "native" | "reserved";
}

/** One action a request performs: cluster-level (no indices) or on named indices. */
export interface RequestAction {
  action: string;
  /** Index names (concrete names, aliases or patterns as requested); absent for cluster actions. */
  indices?: string[];
}

/** The `roles description` of a denial: effective roles sorted, missing ones named. */
function rolesText(s: Subject): string {
  const effective = [...s.descriptors.keys()].sort();
  let out = ` with effective roles [${effective.join(",")}]`;
  const missing = [...new Set(s.roles.filter((r) => !s.descriptors.has(r)))].sort();
  if (missing.length > 0) out += ` (assigned roles [${missing.join(",")}] were not found)`;
  return out;
}

/** ES's denial of `action` (on `indices`, when an index action). */
export function actionDenied(s: Subject, action: string, indices?: string[]): EsError {
  let message = `action [${action}] is unauthorized for user [${s.username}]${rolesText(s)}`;
  if (indices !== undefined) message += ` on indices [${indices.join(",")}]`;
  if (isClusterAction(action)) {
    const by = clusterPrivilegesGranting(action);
    if (by.length > 0) message += `, this action is granted by the cluster privileges [${by.join(",")}]`;
  } else {
    const by = indexPrivilegesGranting(action);
    if (by.length > 0) message += `, this action is granted by the index privileges [${by.join(",")}]`;
  }
  return new EsError("security_exception", 403, message);
}

/** Whether the subject's roles grant the cluster action. */
export function grantsCluster(s: Subject, action: string): boolean {
  for (const r of s.descriptors.values()) if (r.cluster.some((p) => clusterPrivilegeGrants(p, action))) return true;
  return false;
}

/** Whether the subject's roles grant the index action on `index`. */
export function grantsIndex(s: Subject, action: string, index: string): boolean {
  for (const r of s.descriptors.values()) {
    for (const ip of r.indices) {
      if (ip.names.some((n) => globMatch(n, index)) && ip.privileges.some((p) => indexPrivilegeGrants(p, action))) return true;
    }
  }
  return false;
}

/** Throws the denial unless every action is granted (on every index). */
export function authorize(s: Subject, actions: RequestAction[]): void {
  for (const a of actions) {
    if (a.indices === undefined) {
      if (!grantsCluster(s, a.action)) throw actionDenied(s, a.action);
      continue;
    }
    const denied = a.indices.filter((i) => !grantsIndex(s, a.action, i));
    if (denied.length > 0) throw actionDenied(s, a.action, denied);
  }
}

/** `_has_privileges` for a named cluster privilege (or action pattern). */
export function hasClusterPrivilege(s: Subject, privilege: string): boolean {
  for (const r of s.descriptors.values()) if (r.cluster.some((held) => privilegeImplies("cluster", held, privilege))) return true;
  return false;
}

/** `_has_privileges` for an index privilege on a name (or pattern): some role entry whose names cover it holds a privilege implying it. */
export function hasIndexPrivilege(s: Subject, name: string, privilege: string): boolean {
  for (const r of s.descriptors.values()) {
    for (const ip of r.indices) {
      if (!ip.names.some((n) => globMatch(n, name))) continue;
      if (ip.privileges.some((held) => privilegeImplies("index", held, privilege))) return true;
    }
  }
  return false;
}

/** Whether the subject is a superuser (the `superuser` role: cluster `all` and `all` on `*`). */
export function isSuperuser(s: Subject): boolean {
  return s.descriptors.has("superuser");
}

const WRITE_OP_ACTIONS: Record<string, string> = {
  index: "indices:data/write/index:op_type/index",
  create: "indices:data/write/index:op_type/create",
  delete: "indices:data/write/delete",
  update: "indices:data/write/update",
};

/** The request a route handles, as the authorization table needs it. */
export interface AuthzRequest {
  api: string;
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  bodyText?: string;
  /** Expands an index expression to the names it stands for now (wildcards; `_all`/none → every index). */
  expand: (expression: string | undefined) => string[];
}

const list = (v: string | undefined) => (v === undefined || v === "" ? [] : v.split(",").map((s) => s.trim()));
const hasWildcard = (expr: string | undefined) =>
  expr === undefined || expr === "" || list(expr).some((p) => p === "_all" || p.includes("*"));

/**
 * The indices of an index expression that must be authorized as named: its concrete names.
 * Wildcards are not denied but narrowed to the authorized indices (SecurityService.authorizeRest),
 * as ES's `IndicesAndAliasesResolver` replaces them.
 */
function indicesOf(expr: string | undefined): string[] {
  if (!hasWildcard(expr)) return list(expr);
  return list(expr).filter((p) => p !== "_all" && !p.includes("*") && !p.startsWith("-"));
}

function bulkActions(r: AuthzRequest): RequestAction[] {
  const out = new Map<string, Set<string>>();
  const lines = (r.bodyText ?? "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // the bulk handler reports the malformed line
    }
    if (parsed === null || typeof parsed !== "object") continue;
    const [op, meta] = Object.entries(parsed as Record<string, unknown>)[0] ?? [];
    const action = op ? WRITE_OP_ACTIONS[op] : undefined;
    if (!action) continue;
    if (op !== "delete") i++; // the source line
    const index = (meta as { _index?: unknown } | undefined)?._index;
    const name = typeof index === "string" ? index : r.params.index;
    if (!name) continue;
    if (!out.has(action)) out.set(action, new Set());
    out.get(action)!.add(name);
  }
  return [...out].map(([action, names]) => ({ action, indices: [...names] }));
}

function mgetActions(r: AuthzRequest): RequestAction[] {
  const names = new Set<string>(list(r.params.index));
  try {
    const body = JSON.parse(r.bodyText ?? "{}") as { docs?: Array<{ _index?: unknown }> };
    for (const d of body.docs ?? []) if (typeof d?._index === "string") names.add(d._index);
  } catch {
    // the handler reports the body
  }
  return [{ action: "indices:data/read/mget", indices: [...names] }];
}

/**
 * Route → action, for routes whose action is fixed. `index: true`: on the `{index}` path parameter
 * (or the one `param` names: a data stream's `{name}`, a rollover's `{alias}`).
 */
const ROUTE_ACTIONS: Record<string, { action: string; index?: boolean; param?: string }> = {
  info: { action: "cluster:monitor/main" },
  ping: { action: "cluster:monitor/main" },
  "cluster.health": { action: "cluster:monitor/health" },
  "cluster.get_settings": { action: "cluster:monitor/settings" },
  "cluster.put_settings": { action: "cluster:admin/settings/update" },
  "cluster.state": { action: "cluster:monitor/state" },
  "cluster.remote_info": { action: "cluster:monitor/remote/info" },
  "nodes.info": { action: "cluster:monitor/nodes/info" },
  "nodes.stats": { action: "cluster:monitor/nodes/stats" },
  "nodes.reload_secure_settings": { action: "cluster:admin/nodes/reload_secure_settings" },
  "cat.indices": { action: "indices:monitor/settings/get", index: true },
  "indices.create": { action: "indices:admin/create", index: true },
  "indices.get": { action: "indices:admin/get", index: true },
  "indices.exists": { action: "indices:admin/get", index: true },
  "indices.delete": { action: "indices:admin/delete", index: true },
  "indices.get_settings": { action: "indices:monitor/settings/get", index: true },
  "indices.put_settings": { action: "indices:admin/settings/update", index: true },
  "indices.add_block": { action: "indices:admin/block/add", index: true },
  "indices.close": { action: "indices:admin/close", index: true },
  "indices.open": { action: "indices:admin/open", index: true },
  "indices.get_mapping": { action: "indices:admin/mappings/get", index: true },
  "indices.get_field_mapping": { action: "indices:admin/mappings/fields/get", index: true },
  "indices.put_mapping": { action: "indices:admin/mapping/put", index: true },
  "indices.get_alias": { action: "indices:admin/aliases/get", index: true },
  "indices.put_alias": { action: "indices:admin/aliases", index: true },
  "indices.delete_alias": { action: "indices:admin/aliases", index: true },
  "indices.refresh": { action: "indices:admin/refresh", index: true },
  "indices.flush": { action: "indices:admin/flush", index: true },
  "indices.forcemerge": { action: "indices:admin/forcemerge", index: true },
  "indices.stats": { action: "indices:monitor/stats", index: true },
  "indices.put_index_template": { action: "indices:admin/index_template/put" },
  "indices.get_index_template": { action: "indices:admin/index_template/get" },
  "indices.exists_index_template": { action: "indices:admin/index_template/get" },
  "indices.delete_index_template": { action: "indices:admin/index_template/delete" },
  "indices.create_data_stream": { action: "indices:admin/data_stream/create", index: true, param: "name" },
  "indices.get_data_stream": { action: "indices:admin/data_stream/get", index: true, param: "name" },
  "indices.delete_data_stream": { action: "indices:admin/data_stream/delete", index: true, param: "name" },
  "indices.data_streams_stats": { action: "indices:monitor/data_stream/stats", index: true, param: "name" },
  "indices.promote_data_stream": { action: "indices:admin/data_stream/promote", index: true, param: "name" },
  "indices.rollover": { action: "indices:admin/rollover", index: true, param: "alias" },
  search: { action: "indices:data/read/search", index: true },
  count: { action: "indices:data/read/search", index: true },
  get: { action: "indices:data/read/get", index: true },
  exists: { action: "indices:data/read/get", index: true },
  get_source: { action: "indices:data/read/get", index: true },
  index: { action: "indices:data/write/index", index: true },
  create: { action: "indices:data/write/index", index: true },
  delete: { action: "indices:data/write/delete", index: true },
  update: { action: "indices:data/write/update", index: true },
  "ccr.follow": { action: "indices:admin/xpack/ccr/put_follow", index: true },
  "ccr.pause_follow": { action: "cluster:admin/xpack/ccr/pause_follow" },
  "ccr.resume_follow": { action: "cluster:admin/xpack/ccr/resume_follow" },
  "ccr.unfollow": { action: "indices:admin/xpack/ccr/unfollow", index: true },
  "ccr.follow_info": { action: "cluster:monitor/ccr/follow_info" },
  "ccr.follow_stats": { action: "cluster:monitor/ccr/follow_stats" },
  "ccr.stats": { action: "cluster:monitor/ccr/stats" },
  "ccr.forget_follower": { action: "indices:admin/xpack/ccr/forget_follower", index: true },
  "ccr.put_auto_follow_pattern": { action: "cluster:admin/xpack/ccr/auto_follow_pattern/put" },
  "ccr.get_auto_follow_pattern": { action: "cluster:admin/xpack/ccr/auto_follow_pattern/get" },
  "ccr.delete_auto_follow_pattern": { action: "cluster:admin/xpack/ccr/auto_follow_pattern/delete" },
  "ccr.pause_auto_follow_pattern": { action: "cluster:admin/xpack/ccr/auto_follow_pattern/activate" },
  "ccr.resume_auto_follow_pattern": { action: "cluster:admin/xpack/ccr/auto_follow_pattern/activate" },
  "ccr.shard_changes": { action: "indices:data/read/xpack/ccr/shard_changes", index: true },
  "security.put_user": { action: "cluster:admin/xpack/security/user/put" },
  "security.get_user": { action: "cluster:admin/xpack/security/user/get" },
  "security.delete_user": { action: "cluster:admin/xpack/security/user/delete" },
  "security.put_role": { action: "cluster:admin/xpack/security/role/put" },
  "security.get_role": { action: "cluster:admin/xpack/security/role/get" },
  "security.delete_role": { action: "cluster:admin/xpack/security/role/delete" },
  "security.create_cross_cluster_api_key": { action: "cluster:admin/xpack/security/cross_cluster/api_key/create" },
  "security.invalidate_api_key": { action: "cluster:admin/xpack/security/api_key/invalidate" },
};

/** Routes every authenticated user may call about themselves (ES's same-user checks). */
export const SELF_APIS = new Set(["security.authenticate", "security.has_privileges"]);

/**
 * The actions a REST request performs, or `undefined` for a route without a table entry (the
 * "not supported" catch-alls, which answer their own error).
 */
export function requestActions(r: AuthzRequest): RequestAction[] | undefined {
  if (r.api === "bulk") return bulkActions(r);
  if (r.api === "mget") return mgetActions(r);
  if (r.api === "indices.update_aliases") {
    const names = new Set<string>();
    try {
      const body = JSON.parse(r.bodyText ?? "{}") as { actions?: Array<Record<string, { index?: unknown; indices?: unknown }>> };
      for (const a of body.actions ?? [])
        for (const v of Object.values(a ?? {})) {
          if (typeof v?.index === "string") names.add(v.index);
          if (Array.isArray(v?.indices)) for (const n of v.indices) if (typeof n === "string") names.add(n);
        }
    } catch {
      // the handler reports the body
    }
    return [{ action: "indices:admin/aliases", indices: [...names] }];
  }
  if (r.api === "security.get_user" && r.method === "GET" && r.params.username === undefined) {
    return [{ action: "cluster:admin/xpack/security/user/get" }];
  }
  const entry = ROUTE_ACTIONS[r.api];
  if (!entry) return undefined;
  if (!entry.index) return [{ action: entry.action }];
  if (entry.param) return [{ action: entry.action, indices: indicesOf(r.params[entry.param]) }];
  const actions: RequestAction[] = [{ action: entry.action, indices: indicesOf(r.params.index) }];
  // `_cat/indices` also reads index stats, as ES's RestIndicesAction does
  if (r.api === "cat.indices") actions.push({ action: "indices:monitor/stats", indices: indicesOf(r.params.index) });
  return actions;
}
