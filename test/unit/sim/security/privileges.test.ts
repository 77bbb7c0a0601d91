/** The privilege tables and denial wording of sim/security, checked against ES's own answers. */
import {
  actionDenied,
  authorize,
  hasClusterPrivilege,
  hasIndexPrivilege,
  requestActions,
  type Subject,
} from "../../../../sim/security/authz";
import {
  clusterPrivilegesGranting,
  globMatch,
  indexPrivilegesGranting,
  privilegeImplies,
  unknownClusterPrivilege,
  unknownIndexPrivilege,
} from "../../../../sim/security/privileges";
import type { RoleDescriptor } from "../../../../sim/security/store";

function subject(roles: Record<string, RoleDescriptor>, assigned = Object.keys(roles)): Subject {
  return { username: "u", roles: assigned, descriptors: new Map(Object.entries(roles)), realm: "native" };
}
const role = (cluster: string[], names: string[], privileges: string[]): RoleDescriptor => ({
  cluster,
  indices: [{ names, privileges, allow_restricted_indices: false }],
  applications: [],
  run_as: [],
  metadata: {},
});

test.each([
  ["*", "", true],
  ["a*", "abc", true],
  ["a*c", "abxc", true],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["logs-*-prod", "logs-x-y-prod", true],
  ["logs-*-prod", "logs-x-dev", false],
  ["*a*a*a*a*a*b", "a".repeat(5000), false],
])("globMatch(%s, %s) = %s", (p, t, want) => expect(globMatch(p, t)).toBe(want));

test.each([
  // ES's messages for these actions (x-pack tests and ES's own error texts)
  ["indices:admin/xpack/ccr/put_follow", "manage_follow_index,manage,all"],
  ["indices:data/read/search", "read,all"],
  ["indices:data/write/index", "create_doc,create,index,write,all"],
  ["indices:data/write/bulk[s]", "create_doc,create,delete,index,write,all"],
  ["indices:admin/create", "create_index,manage,all"],
  ["indices:admin/delete", "delete_index,manage,all"],
  ["indices:data/write/delete", "delete,write,all"],
  ["indices:admin/xpack/ccr/forget_follower", "manage_leader_index,manage,all"],
  ["indices:monitor/settings/get", "monitor,view_index_metadata,manage,all"],
])("index action %s is granted by [%s]", (action, want) => expect(indexPrivilegesGranting(action).join(",")).toBe(want));

test.each([
  ["cluster:monitor/main", "monitor,manage,all"],
  ["cluster:admin/settings/update", "manage,all"],
  ["cluster:admin/xpack/ccr/pause_follow", "manage_ccr,manage,all"],
  ["cluster:admin/xpack/security/role/put", "manage_security,all"],
  ["cluster:admin/xpack/security/user/get", "read_security,manage_security,all"],
  ["cluster:monitor/state", "read_ccr,transport_client,manage_ccr,monitor,manage,all"],
])("cluster action %s is granted by [%s]", (action, want) => expect(clusterPrivilegesGranting(action).join(",")).toBe(want));

test.each([
  ["cluster", "all", "manage", true],
  ["cluster", "manage", "manage_security", false],
  // manage_ccr also names has_privileges, a security action manage excludes: no implication (as ES's automata)
  ["cluster", "manage", "manage_ccr", false],
  ["cluster", "manage", "cluster:admin/xpack/ccr/*", true],
  ["cluster", "manage_ccr", "read_ccr", true],
  ["cluster", "monitor", "manage_ccr", false],
  ["index", "manage", "manage_follow_index", true],
  ["index", "write", "create_doc", true],
  ["index", "create_doc", "write", false],
  ["index", "read", "view_index_metadata", false],
])("%s privilege %s implies %s: %s", (kind, held, wanted, want) =>
  expect(privilegeImplies(kind as "cluster" | "index", held, wanted)).toBe(want),
);

test("unknown privileges are named; action patterns are accepted", () => {
  expect(unknownClusterPrivilege("nope")).toMatch(
    /^unknown cluster privilege \[nope\]\. a privilege must be either one of the predefined cluster privilege names \[none,/,
  );
  expect(unknownClusterPrivilege("cluster:monitor/*")).toBeUndefined();
  expect(unknownIndexPrivilege("READ")).toBeUndefined();
  expect(unknownIndexPrivilege("indices:data/read/*")).toBeUndefined();
  expect(unknownIndexPrivilege("cross_cluster_replication")).toBeUndefined();
  expect(unknownIndexPrivilege("x")).toMatch(
    /^unknown index privilege \[x\]\. a privilege must be either one of the predefined fixed indices privileges \[none=\[none\],/,
  );
});

test("denials in ES's words: sorted effective roles, missing roles, indices, granting privileges", () => {
  const s = subject({ b: role(["monitor"], ["logs-*"], ["read"]), a: role([], [], ["read"]) }, ["b", "ghost", "a"]);
  expect(actionDenied(s, "indices:admin/create", ["x"]).reason).toBe(
    "action [indices:admin/create] is unauthorized for user [u] with effective roles [a,b] (assigned roles [ghost] were not found) on indices [x], this action is granted by the index privileges [create_index,manage,all]",
  );
  expect(() => authorize(s, [{ action: "cluster:monitor/health" }])).not.toThrow();
  expect(() => authorize(s, [{ action: "indices:data/read/search", indices: ["logs-1"] }])).not.toThrow();
  expect(() => authorize(s, [{ action: "indices:data/read/search", indices: ["logs-1", "other"] }])).toThrow(
    /on indices \[other\], this action is granted by the index privileges \[read,all\]$/,
  );
  expect(hasClusterPrivilege(s, "monitor")).toBe(true);
  expect(hasIndexPrivilege(s, "logs-2", "read")).toBe(true);
  expect(hasIndexPrivilege(s, "logs-2", "write")).toBe(false);
});

test("routes map to ES's actions; bulk items by op type and index; wildcards are left to narrowing", () => {
  const base = { method: "POST", query: {}, expand: () => ["a", "b"] };
  expect(requestActions({ ...base, api: "ccr.follow", params: { index: "f" } })).toEqual([
    { action: "indices:admin/xpack/ccr/put_follow", indices: ["f"] },
  ]);
  expect(requestActions({ ...base, api: "cluster.put_settings", params: {} })).toEqual([{ action: "cluster:admin/settings/update" }]);
  const bulk = ['{"index":{"_index":"a"}}', "{}", '{"delete":{"_index":"b","_id":"1"}}', '{"create":{"_id":"2"}}', "{}"].join("\n");
  expect(requestActions({ ...base, api: "bulk", params: { index: "d" }, bodyText: bulk })).toEqual([
    { action: "indices:data/write/index:op_type/index", indices: ["a"] },
    { action: "indices:data/write/delete", indices: ["b"] },
    { action: "indices:data/write/index:op_type/create", indices: ["d"] },
  ]);
  expect(requestActions({ ...base, api: "search", params: { index: "x,logs-*" } })).toEqual([
    { action: "indices:data/read/search", indices: ["x"] },
  ]);
  expect(requestActions({ ...base, api: "indices.put_index_template", params: {} })).toEqual([
    { action: "indices:admin/index_template/put" },
  ]);
  expect(requestActions({ ...base, api: "indices.promote_data_stream", params: { name: "logs-a" } })).toEqual([
    { action: "indices:admin/data_stream/promote", indices: ["logs-a"] },
  ]);
  expect(requestActions({ ...base, api: "indices.put_template", params: {} })).toBeUndefined();
});
