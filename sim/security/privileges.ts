/**
 * Elasticsearch's named privileges as action-name patterns (x-pack `IndexPrivilege` and
 * `ClusterPrivilegeResolver`), and the questions authorization asks of them: does a privilege
 * grant an action, which privileges grant it (for the "this action is granted by …" part of a
 * denial), and does one privilege include another (`_has_privileges`). Pure: no state, no I/O.
 *
 * Patterns are ES's `Automatons.patterns` globs (`*` any run, `?` one character), matched by a
 * linear-time matcher (no regular expressions, so a role's pattern cannot stall the node).
 */

/** Whether `text` matches the glob `pattern` (`*`, `?`). Greedy two-pointer match: O(n·m) worst case, no backtracking blow-up. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

const matchesAny = (patterns: readonly string[], action: string) => patterns.some((p) => globMatch(p, action));

/**
 * Index privileges, in ES's `sortByAccessLevel` order (least privileged first: how many other
 * privileges each one is a subset of, descending, then by name). Denial messages list the
 * granting privileges in this order, e.g. `[create_doc,create,index,write,all]`.
 */
export const INDEX_PRIVILEGES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["none", []],
  [
    "create_doc",
    ["indices:data/write/index", "indices:data/write/index[*", "indices:data/write/index:op_type/create", "indices:data/write/bulk*"],
  ],
  ["create", ["indices:data/write/index*", "indices:data/write/bulk*"]],
  ["auto_configure", ["indices:admin/mapping/auto_put", "indices:admin/auto_create"]],
  ["create_index", ["indices:admin/create", "indices:admin/auto_create", "indices:admin/data_stream/create"]],
  ["delete", ["indices:data/write/delete*", "indices:data/write/bulk*"]],
  ["delete_index", ["indices:admin/delete", "indices:admin/data_stream/delete"]],
  ["index", ["indices:data/write/index*", "indices:data/write/bulk*", "indices:data/write/update*"]],
  ["maintenance", ["indices:admin/refresh*", "indices:admin/flush*", "indices:admin/synced_flush", "indices:admin/forcemerge*"]],
  [
    "manage_follow_index",
    [
      "indices:admin/xpack/ccr/put_follow",
      "indices:admin/xpack/ccr/unfollow",
      "indices:admin/close*",
      "indices:admin/data_stream/promote",
      "indices:admin/rollover",
    ],
  ],
  ["manage_ilm", ["indices:admin/ilm/*"]],
  ["manage_leader_index", ["indices:admin/xpack/ccr/forget_follower*"]],
  ["monitor", ["indices:monitor/*"]],
  [
    "view_index_metadata",
    [
      "indices:admin/aliases/get",
      "indices:admin/get",
      "indices:admin/mappings/fields/get*",
      "indices:admin/mappings/get",
      "indices:admin/shards/search_shards",
      "indices:admin/validate/query*",
      "indices:monitor/settings/get",
      "indices:admin/ilm/explain",
      "indices:admin/data_stream/get",
      "indices:admin/resolve/index",
      "indices:data/read/field_caps*",
      "indices:data/read/xpack/rollup/get/index/caps*",
      "indices:monitor/transform/checkpoint*",
    ],
  ],
  ["manage", ["indices:monitor/*", "indices:admin/*", "indices:data/read/field_caps*", "indices:data/read/xpack/rollup/get/index/caps*"]],
  ["read", ["indices:data/read/*"]],
  ["read_cross_cluster", ["internal:transport/proxy/indices:data/read/*", "indices:admin/shards/search_shards"]],
  ["write", ["indices:data/write/*", "indices:admin/mapping/auto_put"]],
  ["all", ["indices:*", "internal:transport/proxy/indices:*"]],
];

/**
 * The index privileges a cross-cluster API key's `replication` access stands for on the leader
 * (ES `CrossClusterApiKeyRoleDescriptorBuilder`); roles name them in `remote_indices`.
 */
export const REPLICATION_INDEX_PRIVILEGES: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    "cross_cluster_replication",
    [
      "indices:data/read/xpack/ccr/shard_changes*",
      "indices:monitor/stats*",
      "indices:admin/seq_no/add_retention_lease*",
      "indices:admin/seq_no/remove_retention_lease*",
      "indices:admin/seq_no/renew_retention_lease*",
    ],
  ],
  [
    "cross_cluster_replication_internal",
    [
      "indices:internal/admin/ccr/restore/session/clear*",
      "indices:internal/admin/ccr/restore/file_chunk/get*",
      "indices:internal/admin/ccr/restore/session/put*",
    ],
  ],
];

const ALL_CLUSTER = ["cluster:*", "indices:admin/template/*", "indices:admin/index_template/*"];
const SECURITY = "cluster:admin/xpack/security/*";

/**
 * The cluster privileges es-sim knows, in ES's order (how many other privileges each implies,
 * ascending, then by name). `manage` is every cluster action except security's.
 */
export const CLUSTER_PRIVILEGES: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  ["none", [], []],
  ["manage_api_key", ["cluster:admin/xpack/security/api_key/*"], []],
  ["read_ccr", ["cluster:monitor/state", "cluster:admin/xpack/security/user/has_privileges"], []],
  [
    "read_security",
    [
      "cluster:admin/xpack/security/api_key/get",
      "cluster:admin/xpack/security/api_key/query",
      "cluster:admin/xpack/security/privilege/builtin/get",
      "cluster:admin/xpack/security/privilege/get",
      "cluster:admin/xpack/security/role/get",
      "cluster:admin/xpack/security/role_mapping/get",
      "cluster:admin/xpack/security/user/get",
      "cluster:admin/xpack/security/user/list_privileges",
      "cluster:admin/xpack/security/user/has_privileges",
    ],
    [],
  ],
  ["transport_client", ["cluster:monitor/nodes/liveness", "cluster:monitor/state"], []],
  ["manage_ccr", ["cluster:admin/xpack/ccr/*", "cluster:monitor/state", "cluster:admin/xpack/security/user/has_privileges"], []],
  ["manage_index_templates", ["indices:admin/template/*", "indices:admin/index_template/*", "cluster:admin/component_template/*"], []],
  [
    "monitor",
    ["cluster:monitor/*", "indices:admin/template/get", "cluster:admin/component_template/get", "indices:admin/index_template/get"],
    [],
  ],
  ["manage_security", [SECURITY, "cluster:admin/xpack/security/delegate_pki"], []],
  ["manage", ALL_CLUSTER, [SECURITY]],
  ["all", ALL_CLUSTER, []],
];

/** Whether `action` is a cluster action (ES `ClusterPrivilegeResolver.isClusterAction`). */
export function isClusterAction(action: string): boolean {
  return matchesAny(ALL_CLUSTER, action);
}

/** Whether `action` is an index action (ES `IndexPrivilege.ACTION_MATCHER`). */
export function isIndexAction(action: string): boolean {
  return matchesAny(["indices:*", "internal:transport/proxy/indices:*"], action);
}

function clusterDef(name: string) {
  return CLUSTER_PRIVILEGES.find(([n]) => n === name);
}

function indexDef(name: string) {
  return INDEX_PRIVILEGES.find(([n]) => n === name) ?? REPLICATION_INDEX_PRIVILEGES.find(([n]) => n === name);
}

/** Whether the cluster privilege `name` (a named one or an action pattern) grants `action`. */
export function clusterPrivilegeGrants(name: string, action: string): boolean {
  const lower = name.toLowerCase();
  if (isClusterAction(lower)) return globMatch(`${lower}*`, action);
  const def = clusterDef(lower);
  if (!def) return false;
  return matchesAny(def[1], action) && !matchesAny(def[2], action);
}

/** Whether the index privilege `name` (named, or an index action pattern) grants `action`. */
export function indexPrivilegeGrants(name: string, action: string): boolean {
  const lower = name.toLowerCase();
  if (isIndexAction(lower)) return globMatch(`${lower}*`, action);
  const def = indexDef(lower);
  return def ? matchesAny(def[1], action) : false;
}

/** The cluster privileges that grant `action`, least privileged first (the denial message's list). */
export function clusterPrivilegesGranting(action: string): string[] {
  return CLUSTER_PRIVILEGES.filter(([n]) => clusterPrivilegeGrants(n, action)).map(([n]) => n);
}

/** The index privileges that grant `action`, least privileged first. */
export function indexPrivilegesGranting(action: string): string[] {
  return INDEX_PRIVILEGES.filter(([n]) => indexPrivilegeGrants(n, action)).map(([n]) => n);
}

/** Validation message of an unknown cluster privilege (ES `ClusterPrivilegeResolver.resolve`). */
export function unknownClusterPrivilege(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (isClusterAction(lower) || clusterDef(lower)) return undefined;
  return `unknown cluster privilege [${lower}]. a privilege must be either one of the predefined cluster privilege names [${CLUSTER_PRIVILEGES.map(([n]) => n).join(",")}] or a pattern over one of the available cluster actions`;
}

/** Validation message of an unknown index privilege (ES `IndexPrivilege.resolve`). */
export function unknownIndexPrivilege(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (isIndexAction(lower) || indexDef(lower)) return undefined;
  return `unknown index privilege [${lower}]. a privilege must be either one of the predefined fixed indices privileges [${INDEX_PRIVILEGES.map(([n]) => `${n}=[${n}]`).join(",")}] or a pattern over one of the available index actions`;
}

/**
 * Whether holding the privilege `held` implies holding `wanted` (`_has_privileges`), decided on
 * the patterns: every pattern of `wanted` must be covered by a pattern of `held` (a glob of
 * `held` matching the `wanted` pattern's text), and nothing `held` excludes may be wanted.
 */
export function privilegeImplies(kind: "cluster" | "index", held: string, wanted: string): boolean {
  const h = held.toLowerCase();
  const w = wanted.toLowerCase();
  if (h === w) return true;
  const patterns = (name: string): { inc: readonly string[]; exc: readonly string[] } => {
    if (kind === "cluster") {
      if (isClusterAction(name)) return { inc: [`${name}*`], exc: [] };
      const d = clusterDef(name);
      return { inc: d?.[1] ?? [], exc: d?.[2] ?? [] };
    }
    if (isIndexAction(name)) return { inc: [`${name}*`], exc: [] };
    return { inc: indexDef(name)?.[1] ?? [], exc: [] };
  };
  const hp = patterns(h);
  const wp = patterns(w);
  if (wp.inc.length === 0) return true;
  return wp.inc.every((p) => hp.inc.some((q) => globMatch(q, p)) && !hp.exc.some((q) => globMatch(q, p) || globMatch(p, q)));
}
