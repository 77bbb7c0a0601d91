/**
 * Secured es-sim clusters that replicate: what ES 8's API-key remote clusters need, done for
 * tests — a cross-cluster API key created on each leader (`POST /_security/cross_cluster/api_key`),
 * stored in the follower's keystore as `cluster.remote.<alias>.credentials` with the real
 * `bin/es-sim keystore add`, applied by `POST /_nodes/reload_secure_settings`.
 */
import { spawn } from "node:child_process";
import { ES_SIM_BIN, http, spawnSim, type SpawnedSim } from "./sim";

/** `Authorization` header of basic auth. */
export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

/** Runs `bin/es-sim keystore add <setting> -E path.data=<dir>` with `value` on stdin. */
export function keystoreAdd(dataDir: string, setting: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ES_SIM_BIN, "keystore", "add", setting, "-E", `path.data=${dataDir}`], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`es-sim keystore add ${setting} exited ${code}: ${err}`))));
    child.stdin!.end(value);
  });
}

/** Creates a cross-cluster API key on `leader` (replication of `names`) as `admin`; returns its `encoded` value. */
export async function createReplicationKey(
  leader: SpawnedSim,
  admin: Record<string, string>,
  names: string[] = ["*"],
  name = "ccr-dr-test",
): Promise<string> {
  const r = await http(leader.url, "POST", "/_security/cross_cluster/api_key", { name, access: { replication: [{ names }] } }, admin);
  if (r.status !== 200) throw new Error(`creating a cross-cluster API key on ${leader.clusterName}: ${r.status} ${r.text}`);
  return r.body.encoded as string;
}

/** Gives `follower` a key for remote `alias` = `leader` and reloads its secure settings. */
export async function trustRemote(follower: SpawnedSim, alias: string, leader: SpawnedSim, admin: Record<string, string>): Promise<void> {
  const encoded = await createReplicationKey(leader, admin);
  await keystoreAdd(follower.dataDir, `cluster.remote.${alias}.credentials`, encoded);
  const r = await http(follower.url, "POST", "/_nodes/reload_secure_settings", undefined, admin);
  if (r.status !== 200) throw new Error(`reload_secure_settings on ${follower.clusterName}: ${r.status} ${r.text}`);
}

/** Both directions of a secured pair (remote aliases = cluster names), so either can follow the other. */
export async function trustEachOther(a: SpawnedSim, b: SpawnedSim, admin: Record<string, string>): Promise<void> {
  await Promise.all([trustRemote(b, a.clusterName, a, admin), trustRemote(a, b.clusterName, b, admin)]);
}

/**
 * A conformance target with security enabled: a spawned es-sim with `xpack.security.enabled=true`
 * (superuser `elastic`), or `ES_URL=http://<superuser>:<password>@host:9200` of a real secured
 * cluster. `as(user, password)` makes requests as another user. Users, roles and indices carry
 * the run's prefix and are removed at the end.
 */
export function securedConformanceTarget(clusterName = "conformance-secured") {
  const run = Math.random().toString(36).slice(2, 8);
  const name = (s: string) => `conf-${run}-${s}`;
  let base = "";
  let admin: Record<string, string> = {};
  let sim: SpawnedSim | undefined;
  const created: { users: string[]; roles: string[] } = { users: [], roles: [] };
  beforeAll(async () => {
    const url = process.env.ES_URL;
    if (url) {
      const u = new URL(url);
      admin = basic(decodeURIComponent(u.username), decodeURIComponent(u.password));
      u.username = "";
      u.password = "";
      base = u.toString().replace(/\/$/, "");
    } else {
      const password = "conformance-pw";
      sim = await spawnSim({ clusterName, settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: password } });
      base = sim.url;
      admin = basic("elastic", password);
    }
  });
  afterAll(async () => {
    if (base) {
      await http(base, "DELETE", `/${name("*")}?expand_wildcards=all`, undefined, admin).catch(() => undefined);
      for (const u of created.users) await http(base, "DELETE", `/_security/user/${u}`, undefined, admin).catch(() => undefined);
      for (const r of created.roles) await http(base, "DELETE", `/_security/role/${r}`, undefined, admin).catch(() => undefined);
    }
    await sim?.cleanup();
  });
  return {
    name,
    base: () => base,
    /** As the superuser. */
    req: (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      http(base, method, path, body, { ...admin, ...headers }),
    /** As `user`. */
    as:
      (user: string, password: string) =>
      (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        http(base, method, path, body, { ...basic(user, password), ...headers }),
    /** Remembers a user / role to delete at the end. */
    track: (kind: "users" | "roles", n: string) => created[kind].push(n),
  };
}
