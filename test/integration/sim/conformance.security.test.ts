/**
 * Conformance of the security APIs and of authorization (ES 8.x): native users and roles,
 * `_authenticate`, `_has_privileges`, cross-cluster API keys, and the 403 `security_exception`
 * a user gets for an action its roles do not grant, in ES's words. Runs against a secured
 * es-sim, or with `ES_URL=http://<superuser>:<password>@host:9200` against a secured ES.
 */
import { expectError, simOnly } from "../../helpers/conformance";
import { securedConformanceTarget } from "../../helpers/security";

const t = securedConformanceTarget();
const PASSWORD = "s3cret-pass";

/** A role and a user holding it (both tracked for removal). */
async function userWithRole(suffix: string, role: Record<string, unknown>): Promise<{ user: string; role: string }> {
  const roleName = t.name(`${suffix}-role`);
  const user = t.name(`${suffix}-user`);
  t.track("roles", roleName);
  t.track("users", user);
  expect((await t.req("PUT", `/_security/role/${roleName}`, role)).status).toBe(200);
  expect((await t.req("PUT", `/_security/user/${user}`, { password: PASSWORD, roles: [roleName] })).status).toBe(200);
  return { user, role: roleName };
}

test("roles: create, update, get, delete, with ES's bodies", async () => {
  const name = t.name("r1");
  t.track("roles", name);
  const body = { cluster: ["monitor"], indices: [{ names: [t.name("a*")], privileges: ["read", "view_index_metadata"] }] };
  const created = await t.req("PUT", `/_security/role/${name}`, body);
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ role: { created: true } });
  expect((await t.req("PUT", `/_security/role/${name}`, body)).body).toEqual({ role: { created: false } });
  const got = await t.req("GET", `/_security/role/${name}`);
  expect(got.body[name]).toMatchObject({
    cluster: ["monitor"],
    indices: [{ names: [t.name("a*")], privileges: ["read", "view_index_metadata"], allow_restricted_indices: false }],
    applications: [],
    run_as: [],
    metadata: {},
    transient_metadata: { enabled: true },
  });
  expect((await t.req("DELETE", `/_security/role/${name}`)).body).toEqual({ found: true });
  const again = await t.req("DELETE", `/_security/role/${name}`);
  expect(again.status).toBe(404);
  expect(again.body).toEqual({ found: false });
  const missing = await t.req("GET", `/_security/role/${name}`);
  expect(missing.status).toBe(404);
  expect(missing.body).toEqual({});
});

test("roles: an unknown privilege is a validation error", async () => {
  const r = await t.req("PUT", `/_security/role/${t.name("bad")}`, { cluster: ["not_a_privilege"] });
  expectError(
    r,
    400,
    "action_request_validation_exception",
    /^Validation Failed: 1: unknown cluster privilege \[not_a_privilege\]\. a privilege must be either one of the predefined cluster privilege names \[/,
  );
  const i = await t.req("PUT", `/_security/role/${t.name("bad")}`, { indices: [{ names: ["x"], privileges: ["nope"] }] });
  expectError(
    i,
    400,
    "action_request_validation_exception",
    /^Validation Failed: 1: unknown index privilege \[nope\]\. a privilege must be either one of the predefined fixed indices privileges \[/,
  );
});

test("users: create, get, authenticate, wrong password, disable, delete", async () => {
  const { user, role } = await userWithRole("u1", { cluster: ["monitor"] });
  const got = await t.req("GET", `/_security/user/${user}`);
  expect(got.body).toEqual({ [user]: { username: user, roles: [role], full_name: null, email: null, metadata: {}, enabled: true } });
  const me = await t.as(user, PASSWORD)("GET", "/_security/_authenticate");
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    username: user,
    roles: [role],
    enabled: true,
    authentication_realm: { name: "default_native", type: "native" },
    lookup_realm: { name: "default_native", type: "native" },
    authentication_type: "realm",
  });
  const wrong = await t.as(user, "not-the-password")("GET", "/");
  expectError(wrong, 401, "security_exception", `unable to authenticate user [${user}] for REST request [/]`);
  expect((await t.req("PUT", `/_security/user/${user}`, { roles: [role], enabled: false })).body).toEqual({ created: false });
  expect((await t.as(user, PASSWORD)("GET", "/")).status).toBe(401);
  expect((await t.req("DELETE", `/_security/user/${user}`)).body).toEqual({ found: true });
  expect((await t.req("DELETE", `/_security/user/${user}`)).status).toBe(404);
});

test("users: validation (short password, missing roles, a new user without password, reserved users)", async () => {
  const u = t.name("v");
  expectError(
    await t.req("PUT", `/_security/user/${u}`, { password: "abc", roles: [] }),
    400,
    "action_request_validation_exception",
    "Validation Failed: 1: passwords must be at least [6] characters long;",
  );
  expectError(
    await t.req("PUT", `/_security/user/${u}`, { password: "abcdef" }),
    400,
    "action_request_validation_exception",
    "Validation Failed: 1: roles are missing;",
  );
  expectError(
    await t.req("PUT", `/_security/user/${u}`, { roles: [] }),
    400,
    "action_request_validation_exception",
    "Validation Failed: 1: password must be specified unless you are updating an existing user;",
  );
  expectError(
    await t.req("DELETE", "/_security/user/elastic"),
    400,
    "illegal_argument_exception",
    "user [elastic] is reserved and cannot be deleted",
  );
});

test("403: an index action the roles do not grant names the action, user, roles, indices and granting privileges", async () => {
  const { user, role } = await userWithRole("reader", {
    cluster: ["monitor"],
    indices: [{ names: [t.name("r-*")], privileges: ["read", "monitor"] }],
  });
  const as = t.as(user, PASSWORD);
  const idx = t.name("r-1");
  expectError(
    await as("PUT", `/${idx}`),
    403,
    "security_exception",
    `action [indices:admin/create] is unauthorized for user [${user}] with effective roles [${role}] on indices [${idx}], this action is granted by the index privileges [create_index,manage,all]`,
  );
  expect((await t.req("PUT", `/${idx}/_doc/1?refresh=true`, { n: 1 })).status).toBe(201);
  expect((await as("GET", `/${idx}/_count`)).body.count).toBe(1);
  expectError(
    await as("PUT", `/${idx}/_doc/2`, { n: 2 }),
    403,
    "security_exception",
    `action [indices:data/write/index] is unauthorized for user [${user}] with effective roles [${role}] on indices [${idx}], this action is granted by the index privileges [create_doc,create,index,write,all]`,
  );
  expectError(
    await as("PUT", `/${t.name("copy")}/_ccr/follow`, { remote_cluster: "leader", leader_index: idx }),
    403,
    "security_exception",
    `action [indices:admin/xpack/ccr/put_follow] is unauthorized for user [${user}] with effective roles [${role}] on indices [${t.name("copy")}], this action is granted by the index privileges [manage_follow_index,manage,all]`,
  );
  expectError(
    await as("PUT", "/_cluster/settings", { persistent: { "cluster.remote.x.seeds": null } }),
    403,
    "security_exception",
    `action [cluster:admin/settings/update] is unauthorized for user [${user}] with effective roles [${role}], this action is granted by the cluster privileges [manage,all]`,
  );
  expectError(
    await as("POST", `/${idx}/_ccr/pause_follow`),
    403,
    "security_exception",
    `action [cluster:admin/xpack/ccr/pause_follow] is unauthorized for user [${user}] with effective roles [${role}], this action is granted by the cluster privileges [manage_ccr,manage,all]`,
  );
});

test("403: roles that do not exist are named as not found", async () => {
  const user = t.name("ghost-user");
  t.track("users", user);
  await t.req("PUT", `/_security/user/${user}`, { password: PASSWORD, roles: [t.name("no-such-role")] });
  expectError(
    await t.as(user, PASSWORD)("GET", "/_cluster/health"),
    403,
    "security_exception",
    `action [cluster:monitor/health] is unauthorized for user [${user}] with effective roles [] (assigned roles [${t.name("no-such-role")}] were not found), this action is granted by the cluster privileges [monitor,manage,all]`,
  );
});

test("wildcards are narrowed to the indices the user may see", async () => {
  const { user } = await userWithRole("narrow", { indices: [{ names: [t.name("w-ok*")], privileges: ["monitor", "read"] }] });
  await t.req("PUT", `/${t.name("w-ok1")}`);
  await t.req("PUT", `/${t.name("w-no1")}`);
  const r = await t.as(user, PASSWORD)("GET", `/_cat/indices/${t.name("w-*")}?format=json&h=index`);
  expect(r.status).toBe(200);
  expect(r.body.map((x: { index: string }) => x.index)).toEqual([t.name("w-ok1")]);
});

test("_has_privileges answers per cluster privilege, index and privilege", async () => {
  const { user } = await userWithRole("hp", {
    cluster: ["monitor", "manage_ccr"],
    indices: [{ names: [t.name("hp-*")], privileges: ["monitor", "read", "manage_follow_index"] }],
  });
  const r = await t.as(user, PASSWORD)("POST", "/_security/user/_has_privileges", {
    cluster: ["monitor", "read_ccr", "manage"],
    index: [{ names: [t.name("hp-1"), t.name("other")], privileges: ["read", "manage_follow_index", "write"] }],
  });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    username: user,
    has_all_requested: false,
    cluster: { monitor: true, read_ccr: true, manage: false },
    index: {
      [t.name("hp-1")]: { read: true, manage_follow_index: true, write: false },
      [t.name("other")]: { read: false, manage_follow_index: false, write: false },
    },
    application: {},
  });
});

test("cross-cluster API key: created with its id, name, secret and encoded credential; access is required", async () => {
  const r = await t.req("POST", "/_security/cross_cluster/api_key", {
    name: t.name("key"),
    access: { replication: [{ names: [t.name("*")] }] },
  });
  expect(r.status).toBe(200);
  expect(Object.keys(r.body).sort()).toEqual(["api_key", "encoded", "id", "name"]);
  expect(r.body.name).toBe(t.name("key"));
  expect(Buffer.from(r.body.encoded, "base64").toString("utf8")).toBe(`${r.body.id}:${r.body.api_key}`);
  const none = await t.req("POST", "/_security/cross_cluster/api_key", { name: t.name("key2"), access: {} });
  expectError(
    none,
    400,
    "action_request_validation_exception",
    "Validation Failed: 1: must specify non-empty access for either [search] or [replication];",
  );
});

simOnly("es-sim: reload_secure_settings answers per node (es-sim reads its keystore file)", async () => {
  const r = await t.req("POST", "/_nodes/reload_secure_settings");
  expect(r.status).toBe(200);
  expect(r.body._nodes).toEqual({ total: 1, successful: 1, failed: 0 });
});
