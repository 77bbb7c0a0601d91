/**
 * Wrong credentials, an unreachable endpoint and a remote alias pointing nowhere, on an es-sim pair
 * with security enabled (user `elastic`, password from ELASTIC_PASSWORD): each `pulumi up` fails with
 * one error that names the cluster, the index or operation, and the fix, never shows the password,
 * and changes nothing in the clusters; once the configuration is right the same stacks converge.
 * A failover attempted with a wrong password changes nothing either.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { http, ndjson } from "../../helpers/sim";
import { A_INDEX, B_INDEX, type DrPair, eventually, expectNoChanges, startDrPair } from "../../helpers/drPair";
import { ccrDr, deadAddress } from "../../helpers/faultKit";

jest.setTimeout(600_000);

const PASSWORD = "s3cret-Elastic-pw";
const WRONG = "not-the-Elastic-pw";
const AUTH = { authorization: `Basic ${Buffer.from(`elastic:${PASSWORD}`).toString("base64")}` };
const es = (base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(base, method, p, body, { ...AUTH, ...headers });

async function docIds(base: string, index: string): Promise<string[]> {
  await es(base, "POST", `/${index}/_refresh`);
  const r = await es(base, "GET", `/${index}/_search?size=10000&_source=false`);
  return r.status === 200 ? (r.body.hits.hits as Array<{ _id: string }>).map((h) => h._id).sort() : [];
}

/** Two secured es-sim processes and the program's stacks, with the password as a Pulumi secret. */
async function startSecuredPair(): Promise<DrPair> {
  const pair = await startDrPair({
    sim: { settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: PASSWORD } },
    clusterFields: { username: "elastic" },
  });
  for (const site of ["clusterA", "clusterB"] as const) {
    const s = await pair.stack(site);
    for (const c of ["clusterA", "clusterB"]) await s.setConfig(`ccr-dr:clusters.${c}.password`, { value: PASSWORD, secret: true }, true);
  }
  return pair;
}

/** Resource types in the stack's state (the stack and provider resources left out). */
async function resourceTypes(stack: Stack): Promise<string[]> {
  const d = (await stack.exportStack()).deployment as { resources?: Array<{ type: string }> };
  return (d.resources ?? [])
    .map((r) => r.type.split(":").pop()!)
    .filter((t) => t !== "Stack" && t !== "pulumi-nodejs")
    .sort();
}

async function upError(stack: Stack): Promise<string> {
  return stack.up().then(
    () => {
      throw new Error("expected pulumi up to fail");
    },
    (e: Error) => e.message,
  );
}

describe("wrong credentials, unreachable endpoints, a remote alias pointing nowhere", () => {
  let pair: DrPair;
  let orders: string[];

  beforeAll(async () => {
    pair = await startSecuredPair();
    orders = Array.from({ length: 50 }, (_, i) => `order-${i}`);
    const lines = orders.flatMap((id, i) => [{ index: { _index: A_INDEX, _id: id } }, { order_id: i }]);
    const r = await es(pair.a.url, "POST", "/_bulk?refresh=true", ndjson(lines), { "content-type": "application/x-ndjson" });
    expect(r.body.errors).toBe(false);
  });
  afterAll(async () => pair?.cleanup());

  /** clusterB as it was before: no remote cluster registered, no follower index. */
  async function expectBUntouched(): Promise<void> {
    const settings = await es(pair.b.url, "GET", "/_cluster/settings?flat_settings=true");
    expect(Object.keys(settings.body.persistent).filter((k) => k.startsWith("cluster.remote."))).toEqual([]);
    expect((await es(pair.b.url, "GET", `/${B_INDEX}`)).status).toBe(404);
  }

  test("an unreachable endpoint: preview still plans, up fails naming the cluster and the fix, nothing changes", async () => {
    const drB = await pair.stack("clusterB");
    const dead = await deadAddress();
    await drB.setConfig("ccr-dr:clusters.clusterB.endpoint", { value: dead.url }, true);
    try {
      expect((await drB.preview()).changeSummary.create).toBeGreaterThan(0); // check and diff never call a cluster
      const message = await upError(drB);
      expect(message).toMatch(
        new RegExp(
          `cluster\\.get_settings on cluster "clusterB" failed: cannot connect \\(.*${dead.hostPort}.*\\)\\. Likely fix: check that cluster "clusterB" is up and its endpoint URL is right`,
        ),
      );
      expect(await resourceTypes(drB)).not.toContain("RemoteCluster");
      await expectBUntouched();
    } finally {
      await drB.setConfig("ccr-dr:clusters.clusterB.endpoint", { value: pair.b.url }, true);
    }
  });

  test("wrong credentials: 401 naming the cluster and the fix, the password never shown, nothing changes", async () => {
    const stacks = [await pair.stack("clusterA"), await pair.stack("clusterB")];
    const drB = stacks[1]!;
    // `ccr-dr status` reads both clusters through dr-a's configuration, `up -s dr-b` through dr-b's.
    for (const s of stacks) await s.setConfig("ccr-dr:clusters.clusterB.password", { value: WRONG, secret: true }, true);
    try {
      const message = await upError(drB);
      expect(message).toMatch(
        /cluster\.get_settings on cluster "clusterB" failed: 401 security_exception: unable to authenticate user \[elastic\] for REST request \[[^\]]+\]\. Likely fix: authentication failed: check connection\.basicAuth or connection\.apiKey \(in the ccr-dr stacks: ccr-dr:clusters\.clusterB\.username and the secret ccr-dr:clusters\.clusterB\.password, or the secret ccr-dr:clusters\.clusterB\.apiKey\)\./,
      );
      expect(message).not.toContain(WRONG);
      expect(await resourceTypes(drB)).not.toContain("RemoteCluster");
      await expectBUntouched();
      const status = await ccrDr(pair, ["status", "--json"]);
      expect(status.code).toBe(12); // a cluster could not be read: health unknown (docs/cli.md, "Exit codes")
      expect(status.json.health).toBe("unknown");
      expect(status.json.clusters[1]).toMatchObject({
        cluster: "clusterB",
        reachable: false,
        error: expect.stringMatching(/401 security_exception/),
      });
      expect(status.stdout + status.stderr).not.toContain(WRONG);
    } finally {
      for (const s of stacks) await s.setConfig("ccr-dr:clusters.clusterB.password", { value: PASSWORD, secret: true }, true);
    }
  });

  test("a remote alias pointing nowhere: following is refused with the peer's address and the fix; no index is created", async () => {
    const drB = await pair.stack("clusterB");
    const dead = await deadAddress();
    await drB.setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: dead.hostPort }, true);
    try {
      const message = await upError(drB);
      expect(message).toContain(
        `ccr.follow for index "${B_INDEX}" on cluster "clusterB" failed: 400 status_exception: can not fetch remote index [clusterA:${A_INDEX}] metadata ` +
          `as the license state of the remote cluster [clusterA] could not be determined (caused by no_seed_node_left_exception: Unable to open any proxy ` +
          `connections to cluster [clusterA] at address [${dead.hostPort}]). Likely fix: the remote cluster alias is registered, but this cluster cannot reach its peer`,
      );
      expect((await es(pair.b.url, "GET", `/${B_INDEX}`)).status).toBe(404);
    } finally {
      await drB.setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: pair.a.transportAddress }, true);
    }
  });

  test("once right, the same stacks converge; a failover with a wrong password then changes nothing", async () => {
    const drB = await pair.stack("clusterB");
    await drB.up();
    await eventually("clusterB to hold clusterA's orders", async () =>
      JSON.stringify(await docIds(pair.b.url, B_INDEX)) === JSON.stringify([...orders].sort()) ? true : undefined,
    );
    await expectNoChanges(drB);

    const before = await resourceTypes(drB);
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    await drB.setConfig("ccr-dr:clusters.clusterB.password", { value: WRONG, secret: true }, true);
    const message = await upError(drB);
    expect(message).toMatch(/on cluster "clusterB" failed: 401 security_exception[\s\S]*Likely fix: authentication failed/);
    expect(message).not.toContain(WRONG);
    expect(await resourceTypes(drB)).toEqual(before);
    const info = await es(pair.b.url, "GET", `/${B_INDEX}/_ccr/info`);
    expect(info.body.follower_indices[0].status).toBe("active"); // not promoted, still following
    await drB.setConfig("ccr-dr:clusters.clusterB.password", { value: PASSWORD, secret: true }, true);
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await expectNoChanges(drB);
  });
});
