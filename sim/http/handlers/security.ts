/**
 * Routes of the security APIs (`security.*`, x-pack `Rest*Action`s): native users and roles,
 * `_authenticate`, `_has_privileges`, cross-cluster API keys, and `nodes.reload_secure_settings`
 * (which re-reads es-sim's keystore: sim/security/keystore.ts). With `xpack.security.enabled`
 * false every security route answers ES's 500 "Security is not enabled but a security rest
 * handler is registered".
 */
import { EsError, errors } from "../../engine/errors";
import type { Json } from "../../engine/types";
import { hasClusterPrivilege, hasIndexPrivilege, type Subject } from "../../security/authz";
import { unknownClusterPrivilege, unknownIndexPrivilege } from "../../security/privileges";
import { RESERVED_USERS, type IndicesPrivileges, type RoleDescriptor, type StoredUser } from "../../security/store";
import type { RequestContext, RouteDef } from "../context";

function requireEnabled(ctx: RequestContext): void {
  if (!ctx.security.enabled)
    throw new EsError("illegal_state_exception", 500, "Security is not enabled but a security rest handler is registered");
}

const subjectOf = (ctx: RequestContext): Subject => ctx.subject!;

function strings(v: unknown, what: string): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw errors.parse(`failed to parse ${what}: expected a string or an array of strings`);
}

/** `elastic` as `GET /_security/user` shows it. */
function reservedUserJson(name: string): Json {
  return { username: name, roles: ["superuser"], full_name: null, email: null, metadata: { _reserved: true }, enabled: true };
}

function userJson(u: StoredUser): Json {
  return { username: u.username, roles: u.roles, full_name: u.full_name, email: u.email, metadata: u.metadata, enabled: u.enabled };
}

/** ES's `Validation.Users.validateUsername` rules, in short: 1–507 printable characters, no leading/trailing whitespace. */
function validUsername(name: string): string | undefined {
  if (name.length < 1 || name.length > 507 || name !== name.trim() || /[^\x20-\x7e]/.test(name)) {
    return `Validation Failed: 1: Invalid username [${name}]... Usernames must be at least [1] and no more than [507] characters. They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed.;`;
  }
  return undefined;
}

async function putUser(ctx: RequestContext) {
  requireEnabled(ctx);
  const name = ctx.pathParams.username!;
  const body = ctx.json();
  const problems: string[] = [];
  const bad = validUsername(name);
  if (bad) throw new EsError("action_request_validation_exception", 400, bad);
  if (RESERVED_USERS.includes(name)) throw errors.illegalArgument(`user [${name}] is reserved and only the password can be changed`);
  const allowed = ["password", "password_hash", "roles", "full_name", "email", "metadata", "enabled"];
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw errors.parse(`failed to parse add user request. unexpected field [${k}]`);
  }
  const password = body.password;
  if (password !== undefined && (typeof password !== "string" || password.length < 6)) {
    problems.push("passwords must be at least [6] characters long");
  }
  if (body.password_hash !== undefined) throw errors.notSupported("[password_hash] in put user requests");
  const existing = ctx.security.store.user(name);
  if (password === undefined && !existing) problems.push("password must be specified unless you are updating an existing user");
  if (body.roles === undefined) problems.push("roles are missing");
  if (problems.length > 0) throw errors.validation(problems);
  const roles = strings(body.roles, "roles");
  const created = await ctx.security.store.putUser({
    username: name,
    roles,
    full_name: typeof body.full_name === "string" ? body.full_name : null,
    email: typeof body.email === "string" ? body.email : null,
    metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
    enabled: body.enabled === undefined ? true : body.enabled === true,
    password: typeof password === "string" ? password : undefined,
  });
  return { body: { created } };
}

function getUsers(ctx: RequestContext) {
  requireEnabled(ctx);
  const names = ctx.pathParams.username?.split(",").map((s) => s.trim());
  const out: Record<string, Json> = {};
  for (const r of RESERVED_USERS) if (!names || names.includes(r)) out[r] = reservedUserJson(r);
  for (const u of ctx.security.store.users()) if (!names || names.includes(u.username)) out[u.username] = userJson(u);
  if (names && Object.keys(out).length === 0) return { status: 404, body: {} };
  return { body: out };
}

async function deleteUser(ctx: RequestContext) {
  requireEnabled(ctx);
  const name = ctx.pathParams.username!;
  if (RESERVED_USERS.includes(name)) throw errors.illegalArgument(`user [${name}] is reserved and cannot be deleted`);
  const found = await ctx.security.store.deleteUser(name);
  return { status: found ? 200 : 404, body: { found } };
}

function parseIndices(role: string, v: unknown, remote: boolean): IndicesPrivileges[] {
  if (!Array.isArray(v))
    throw errors.parse(
      `failed to parse ${remote ? "remote indices" : "indices"} privileges for role [${role}]. expected field [${remote ? "remote_indices" : "indices"}] value to be an array, but found [${typeof v}] instead`,
    );
  return v.map((e) => {
    const entry = (e ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(entry)) {
      if (
        !["names", "privileges", "allow_restricted_indices", "clusters", "field_security", "query"].includes(k) ||
        (k === "clusters" && !remote)
      ) {
        throw errors.parse(`failed to parse indices privileges for role [${role}]. unexpected field [${k}]`);
      }
      if (k === "field_security" || k === "query") throw errors.notSupported(`[${k}] (document and field level security) in roles`);
    }
    if (entry.names === undefined)
      throw errors.parse(`failed to parse indices privileges for role [${role}]. missing required [names] field`);
    if (entry.privileges === undefined)
      throw errors.parse(`failed to parse indices privileges for role [${role}]. missing required [privileges] field`);
    const out: IndicesPrivileges = {
      names: strings(entry.names, "names"),
      privileges: strings(entry.privileges, "privileges"),
      allow_restricted_indices: entry.allow_restricted_indices === true,
    };
    if (remote) {
      if (entry.clusters === undefined)
        throw errors.parse(`failed to parse remote indices privileges for role [${role}]. missing required [clusters] field`);
      out.clusters = strings(entry.clusters, "clusters");
    }
    return out;
  });
}

async function putRole(ctx: RequestContext) {
  requireEnabled(ctx);
  const name = ctx.pathParams.name!;
  const body = ctx.json();
  if (name === "superuser") throw errors.validation([`Role [${name}] is reserved and may not be used.`]);
  const allowed = [
    "cluster",
    "indices",
    "remote_indices",
    "applications",
    "run_as",
    "metadata",
    "description",
    "transient_metadata",
    "global",
    "remote_cluster",
  ];
  for (const k of Object.keys(body))
    if (!allowed.includes(k)) throw errors.parse(`failed to parse role [${name}]. unexpected field [${k}]`);
  for (const k of ["global", "remote_cluster"]) if (body[k] !== undefined) throw errors.notSupported(`[${k}] in roles`);
  const role: RoleDescriptor = {
    cluster: body.cluster === undefined ? [] : strings(body.cluster, "cluster privileges"),
    indices: body.indices === undefined ? [] : parseIndices(name, body.indices, false),
    applications: Array.isArray(body.applications) ? (body.applications as unknown[]) : [],
    run_as: body.run_as === undefined ? [] : strings(body.run_as, "run_as"),
    metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
  };
  if (body.remote_indices !== undefined) role.remote_indices = parseIndices(name, body.remote_indices, true);
  if (typeof body.description === "string") role.description = body.description;
  const problems: string[] = [];
  for (const p of role.cluster) {
    const why = unknownClusterPrivilege(p);
    if (why) problems.push(why);
  }
  for (const ip of [...role.indices, ...(role.remote_indices ?? [])]) {
    if (ip.privileges.length === 0) problems.push("indices privileges must define at least one privilege");
    for (const p of ip.privileges) {
      const why = unknownIndexPrivilege(p);
      if (why) problems.push(why);
    }
  }
  if (problems.length > 0) throw errors.validation(problems);
  const created = await ctx.security.store.putRole(name, role);
  return { body: { role: { created } } };
}

function roleJson(r: RoleDescriptor): Json {
  const out: Json = {
    cluster: r.cluster,
    indices: r.indices.map((i) => ({ names: i.names, privileges: i.privileges, allow_restricted_indices: i.allow_restricted_indices })),
    applications: r.applications as Json[],
    run_as: r.run_as,
    metadata: r.metadata as Json,
    transient_metadata: { enabled: true },
  };
  if (r.remote_indices)
    out.remote_indices = r.remote_indices.map((i) => ({
      names: i.names,
      privileges: i.privileges,
      allow_restricted_indices: i.allow_restricted_indices,
      clusters: i.clusters ?? [],
    }));
  if (r.description !== undefined) out.description = r.description;
  return out;
}

function getRoles(ctx: RequestContext) {
  requireEnabled(ctx);
  const names = ctx.pathParams.name?.split(",").map((s) => s.trim());
  const out: Record<string, Json> = {};
  for (const [n, r] of Object.entries(ctx.security.store.roles())) if (!names || names.includes(n)) out[n] = roleJson(r);
  if (names && Object.keys(out).length === 0) return { status: 404, body: {} };
  return { body: out };
}

async function deleteRole(ctx: RequestContext) {
  requireEnabled(ctx);
  const name = ctx.pathParams.name!;
  if (name === "superuser") throw errors.illegalArgument(`role [${name}] is reserved and cannot be deleted`);
  const found = await ctx.security.store.deleteRole(name);
  return { status: found ? 200 : 404, body: { found } };
}

function authenticate(ctx: RequestContext) {
  requireEnabled(ctx);
  const s = subjectOf(ctx);
  const realm = s.realm === "reserved" ? { name: "reserved", type: "reserved" } : { name: "default_native", type: "native" };
  const u = s.realm === "native" ? ctx.security.store.user(s.username) : undefined;
  return {
    body: {
      username: s.username,
      roles: s.roles,
      full_name: u?.full_name ?? null,
      email: u?.email ?? null,
      metadata: s.realm === "reserved" ? { _reserved: true } : ((u?.metadata ?? {}) as Json),
      enabled: true,
      authentication_realm: realm,
      lookup_realm: realm,
      authentication_type: "realm",
    },
  };
}

function hasPrivileges(ctx: RequestContext) {
  requireEnabled(ctx);
  let s = subjectOf(ctx);
  const other = ctx.pathParams.user;
  if (other !== undefined && other !== s.username) {
    // ES: checking another user's privileges is refused (only one's own are answered)
    throw new EsError(
      "security_exception",
      403,
      `action [cluster:admin/xpack/security/user/has_privileges] is unauthorized for user [${s.username}] with effective roles [${[...s.descriptors.keys()].sort().join(",")}], because user [${s.username}] is unauthorized to run as [${other}]`,
    );
  }
  const body = ctx.json();
  const cluster = body.cluster === undefined ? [] : strings(body.cluster, "cluster");
  const index = (Array.isArray(body.index) ? body.index : []) as Array<{ names?: unknown; privileges?: unknown }>;
  if (body.application !== undefined && !(Array.isArray(body.application) && body.application.length === 0)) {
    throw errors.notSupported("[application] privileges in _has_privileges");
  }
  if (cluster.length === 0 && index.length === 0) throw errors.validation(["must specify at least one privilege"]);
  s = ctx.security.subject(s.username, s.roles);
  let all = true;
  const clusterOut: Record<string, boolean> = {};
  for (const p of cluster) {
    const ok = hasClusterPrivilege(s, p);
    clusterOut[p] = ok;
    all &&= ok;
  }
  const indexOut: Record<string, Record<string, boolean>> = {};
  for (const entry of index) {
    const names = strings(entry.names, "names");
    const privileges = strings(entry.privileges, "privileges");
    for (const n of names) {
      indexOut[n] ??= {};
      for (const p of privileges) {
        const ok = hasIndexPrivilege(s, n, p);
        indexOut[n]![p] = ok;
        all &&= ok;
      }
    }
  }
  return { body: { username: s.username, has_all_requested: all, cluster: clusterOut, index: indexOut, application: {} } };
}

function accessNames(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw errors.parse(`failed to parse [${what}]: expected an array`);
  const out: string[] = [];
  for (const e of v as Array<Record<string, unknown>>) {
    for (const k of Object.keys(e ?? {})) {
      if (k === "names") continue;
      if (what === "search" && k === "allow_restricted_indices") continue;
      if (k === "query" || k === "field_security") throw errors.notSupported(`[${k}] in cross-cluster API key access`);
      throw errors.parse(`failed to parse [${what}] access: unexpected field [${k}]`);
    }
    out.push(...strings(e?.names, "names"));
  }
  return out;
}

async function createCrossClusterApiKey(ctx: RequestContext) {
  requireEnabled(ctx);
  const body = ctx.json();
  for (const k of Object.keys(body)) {
    if (!["name", "access", "metadata", "expiration"].includes(k))
      throw errors.parse(`failed to parse cross-cluster API key request. unexpected field [${k}]`);
  }
  if (body.expiration !== undefined) throw errors.notSupported("[expiration] of cross-cluster API keys");
  const problems: string[] = [];
  if (typeof body.name !== "string" || body.name === "") problems.push("api key name is required");
  const access = body.access as Record<string, unknown> | undefined;
  if (access === undefined || access === null || typeof access !== "object") throw errors.parse("Required [access]");
  for (const k of Object.keys(access))
    if (k !== "search" && k !== "replication") throw errors.parse(`failed to parse [access]: unexpected field [${k}]`);
  const replication = accessNames(access.replication, "replication");
  const search = accessNames(access.search, "search");
  if (replication.length === 0 && search.length === 0) problems.push("must specify non-empty access for either [search] or [replication]");
  if (problems.length > 0) throw errors.validation(problems);
  const key = await ctx.security.store.createCrossClusterApiKey(body.name as string, subjectOf(ctx).username, { replication, search });
  return { body: key };
}

async function invalidateApiKey(ctx: RequestContext) {
  requireEnabled(ctx);
  const body = ctx.json();
  const ids = body.ids === undefined ? (typeof body.id === "string" ? [body.id] : []) : strings(body.ids, "ids");
  if (ids.length === 0)
    throw errors.validation(["One of [api key id, api key name, username, realm name] must be specified if [owner] flag is false"]);
  const done = await ctx.security.store.invalidateApiKeys(ids);
  return {
    body: {
      invalidated_api_keys: done,
      previously_invalidated_api_keys: ids.filter((i) => !done.includes(i)),
      error_count: 0,
    },
  };
}

function reloadSecureSettings(ctx: RequestContext) {
  const body = ctx.optionalJson();
  if (body.secure_settings_password !== undefined && body.secure_settings_password !== "") {
    throw errors.notSupported("password-protected keystores (es-sim's keystore has no password)");
  }
  const node = { name: ctx.cluster.nodeName } as Json;
  try {
    ctx.reloadSecureSettings();
  } catch (e) {
    node.reload_exception = { type: "exception", reason: e instanceof Error ? e.message : String(e) };
  }
  return {
    body: {
      _nodes: { total: 1, successful: 1, failed: 0 },
      cluster_name: ctx.cluster.clusterName,
      nodes: { [ctx.cluster.nodeId]: node },
    },
  };
}

export const securityRoutes: RouteDef[] = [
  { api: "security.authenticate", methods: ["GET"], paths: ["/_security/_authenticate"], params: [], body: "none", handler: authenticate },
  {
    api: "security.has_privileges",
    methods: ["GET", "POST"],
    paths: ["/_security/user/_has_privileges", "/_security/user/{user}/_has_privileges"],
    params: [],
    body: "required",
    handler: hasPrivileges,
  },
  {
    api: "security.put_user",
    methods: ["PUT", "POST"],
    paths: ["/_security/user/{username}"],
    params: ["refresh"],
    body: "required",
    handler: putUser,
  },
  {
    api: "security.get_user",
    methods: ["GET"],
    paths: ["/_security/user", "/_security/user/{username}"],
    params: ["with_profile_uid"],
    body: "none",
    handler: getUsers,
  },
  {
    api: "security.delete_user",
    methods: ["DELETE"],
    paths: ["/_security/user/{username}"],
    params: ["refresh"],
    body: "none",
    handler: deleteUser,
  },
  {
    api: "security.put_role",
    methods: ["PUT", "POST"],
    paths: ["/_security/role/{name}"],
    params: ["refresh"],
    body: "required",
    handler: putRole,
  },
  {
    api: "security.get_role",
    methods: ["GET"],
    paths: ["/_security/role", "/_security/role/{name}"],
    params: [],
    body: "none",
    handler: getRoles,
  },
  {
    api: "security.delete_role",
    methods: ["DELETE"],
    paths: ["/_security/role/{name}"],
    params: ["refresh"],
    body: "none",
    handler: deleteRole,
  },
  {
    api: "security.create_cross_cluster_api_key",
    methods: ["POST"],
    paths: ["/_security/cross_cluster/api_key"],
    params: [],
    body: "required",
    handler: createCrossClusterApiKey,
  },
  {
    api: "security.invalidate_api_key",
    methods: ["DELETE"],
    paths: ["/_security/api_key"],
    params: [],
    body: "required",
    handler: invalidateApiKey,
  },
  {
    api: "nodes.reload_secure_settings",
    methods: ["POST"],
    paths: ["/_nodes/reload_secure_settings", "/_nodes/{node_id}/reload_secure_settings"],
    params: ["timeout"],
    body: "optional",
    handler: reloadSecureSettings,
  },
];
