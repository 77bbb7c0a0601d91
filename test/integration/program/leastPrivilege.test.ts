/**
 * The runbook's least-privilege setup, end to end with the real Pulumi CLI against two secured
 * es-sim processes: on each cluster the provider user `ccr-dr` holds only the role of
 * docs/runbook.md ("Least-privilege users"), each cluster holds its peer's cross-cluster API key
 * (created with `access.replication` on the replicated index only) in its keystore, and the stacks
 * carry that key as the secret `ccr-dr:clusters.<peer>.crossClusterApiKey`. Both stacks come up
 * (B follows A), clusterA dies and dr-b fails over, clusterA returns and dr-a fails back (A
 * follows B) — every provider call made as `ccr-dr`. Without its key in the keystore the
 * RemoteCluster refuses, naming the keystore command.
 */
import { A_INDEX, B_INDEX, type DrPair, eventually, expectNoChanges, startDrPair } from "../../helpers/drPair";
import { basic, createReplicationKey, keystoreAdd } from "../../helpers/security";
import { http, ndjson } from "../../helpers/sim";

jest.setTimeout(600_000);

const ADMIN_PW = "admin-pw-elastic";
const ADMIN = basic("elastic", ADMIN_PW);
const USER = "ccr-dr";
const USER_PW = "provider-pw-123";

/** The provider role of docs/runbook.md, for the tutorial's index pair. */
const PROVIDER_ROLE = {
  cluster: ["manage"],
  indices: [{ names: [A_INDEX, B_INDEX, "ccr-dr-quarantine-*"], privileges: ["manage", "read", "write"] }],
  remote_indices: [
    {
      clusters: ["clusterA", "clusterB"],
      names: [A_INDEX, B_INDEX],
      privileges: ["cross_cluster_replication", "cross_cluster_replication_internal"],
    },
  ],
};

const es = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(base, method, path, body, { ...ADMIN, ...headers });

async function docIds(base: string, index: string): Promise<string[]> {
  await es(base, "POST", `/${index}/_refresh`);
  const r = await es(base, "GET", `/${index}/_search?size=10000&_source=false`);
  if (r.status !== 200) throw new Error(`search ${index}: ${r.status} ${r.text}`);
  return (r.body.hits.hits as Array<{ _id: string }>).map((h) => h._id).sort();
}

async function inSync(leader: string, leaderIndex: string, follower: string, followerIndex: string): Promise<string[]> {
  const want = await docIds(leader, leaderIndex);
  return eventually(`${followerIndex} to match ${leaderIndex}`, async () => {
    const got = await docIds(follower, followerIndex).catch(() => []);
    return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
  });
}

async function followStatus(base: string, index: string): Promise<string> {
  const r = await es(base, "GET", `/${index}/_ccr/info`);
  return (r.body.follower_indices?.[0]?.status as string | undefined) ?? "none";
}

describe("failover and failback with the runbook's least-privilege users", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair({
      sim: { settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: ADMIN_PW } },
      clusterFields: { username: USER },
    });
    // the admin's part (docs/runbook.md): role, user, and each cluster's key for its peer
    const keys: Record<string, string> = {};
    for (const [s, index] of [
      [pair.a, A_INDEX],
      [pair.b, B_INDEX],
    ] as const) {
      expect((await es(s.url, "PUT", "/_security/role/ccr-dr-provider", PROVIDER_ROLE)).status).toBe(200);
      expect((await es(s.url, "PUT", `/_security/user/${USER}`, { password: USER_PW, roles: ["ccr-dr-provider"] })).status).toBe(200);
      keys[s.clusterName] = await createReplicationKey(s, ADMIN, [index], `ccr-dr-${s.clusterName}`);
    }
    // replace the helper's broad keys by the narrow ones: B holds A's, A holds B's
    await keystoreAdd(pair.b.dataDir, "cluster.remote.clusterA.credentials", keys.clusterA!);
    await keystoreAdd(pair.a.dataDir, "cluster.remote.clusterB.credentials", keys.clusterB!);
    for (const site of ["clusterA", "clusterB"] as const) {
      const stack = await pair.stack(site);
      for (const c of ["clusterA", "clusterB"]) {
        await stack.setConfig(`ccr-dr:clusters.${c}.password`, { value: USER_PW, secret: true }, true);
        await stack.setConfig(`ccr-dr:clusters.${c}.crossClusterApiKey`, { value: keys[c]!, secret: true }, true);
      }
    }
    const lines = Array.from({ length: 50 }, (_, i) => [{ index: { _index: A_INDEX, _id: `order-${i}` } }, { order_id: i }]).flat();
    const r = await es(pair.a.url, "POST", "/_bulk?refresh=true", ndjson(lines), { "content-type": "application/x-ndjson" });
    expect(r.body.errors).toBe(false);
  });
  afterEach(() => {
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => pair?.cleanup());

  test("up, failover while clusterA is down, failback: every step as the provider user", async () => {
    const { a, b } = pair;
    const drB = await pair.stack("clusterB");
    const drA = await pair.stack("clusterA");
    expect((await drB.up()).outputs.role!.value).toBe("follower");
    expect((await drA.up()).outputs.role!.value).toBe("primary");
    await inSync(a.url, A_INDEX, b.url, B_INDEX);
    expect(await followStatus(b.url, B_INDEX)).toBe("active");
    const remote = (await es(b.url, "GET", "/_remote/info")).body.clusterA;
    expect(remote).toMatchObject({ connected: true, cluster_credentials: "::es_redacted::" });
    await expectNoChanges(drB);

    // clusterA takes a write clusterB never gets (replication paused), then dies: at failback
    // that document diverged and is quarantined (the provider user's `write` and index creation)
    expect((await es(b.url, "POST", `/${B_INDEX}/_ccr/pause_follow`)).status).toBe(200);
    expect((await es(a.url, "PUT", `/${A_INDEX}/_doc/lost-on-a?refresh=true`, { user: "diverged" })).status).toBe(201);

    // failover: clusterA is killed, dr-b promotes its follower
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    expect((await drB.up()).outputs.role!.value).toBe("primary");
    expect(await followStatus(b.url, B_INDEX)).toBe("none");
    expect((await es(b.url, "POST", `/${B_INDEX}/_doc/after-failover?refresh=true`, { user: "kimchy" })).status).toBe(201);

    // failback: clusterA returns (its users, roles and keystore survived the restart); dr-a follows B
    await a.restart();
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
    const failback = await drA.up();
    expect(failback.outputs.role!.value).toBe("follower");
    const ids = await inSync(b.url, B_INDEX, a.url, A_INDEX);
    expect(ids).toHaveLength(51);
    expect(ids).toContain("after-failover");
    expect(ids).not.toContain("lost-on-a");
    expect(await followStatus(a.url, A_INDEX)).toBe("active");
    expect((failback.outputs.indexStatus!.value as any)[A_INDEX].quarantinedDocuments).toBe(1);
    const quarantined = await es(a.url, "GET", "/ccr-dr-quarantine-*/_search?q=user:diverged");
    expect(quarantined.body.hits.total.value).toBe(1);
    await expectNoChanges(drA);
  });

  test("a key missing from the keystore: the RemoteCluster refuses, naming the keystore command", async () => {
    const drA = await pair.stack("clusterA");
    await pair.a.kill("SIGTERM");
    const { rmSync } = await import("node:fs");
    rmSync(`${pair.a.dataDir}/.es-sim.keystore`);
    await pair.a.restart();
    const rotated = await createReplicationKey(pair.b, ADMIN, [B_INDEX], "rotated");
    await drA.setConfig("ccr-dr:clusters.clusterB.crossClusterApiKey", { value: rotated, secret: true }, true);
    const message = await drA.up().then(
      () => "no error",
      (e: Error) => e.message,
    );
    expect(message).toContain(
      'RemoteCluster "clusterB" on cluster "clusterA": a cross-cluster API key is configured but the cluster\'s keystore holds no cluster.remote.clusterB.credentials',
    );
    expect(message).toContain("bin/elasticsearch-keystore add cluster.remote.clusterB.credentials");
    expect(message).not.toContain(rotated);
  });
});
