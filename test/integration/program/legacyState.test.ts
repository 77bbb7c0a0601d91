/**
 * A stack whose state was written before providers/registry.ts, when `__provider` named each
 * provider's file (`provider("providers/followerIndex/provider.ts", "followerIndexProvider")`),
 * after those files moved: the first failover of such a stack is a delete that runs the provider
 * its state names, so it must go through the registry's frozen legacy map.
 *
 * test/fixtures/legacyState/dr-b.json is `pulumi stack export --show-secrets` of a dr-b stack
 * (site clusterB following clusterA) written by that version (README.md next to it); its
 * endpoints, transport addresses and UUIDs are filled in here for a fresh es-sim pair in which the
 * world is what that state says: clusterB registers clusterA and follows its index.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../../cli/toolchain";
import { decodePromotion } from "../../../es/records";
import { A_INDEX, B_INDEX, DrPair, expectNoChanges, followStatus, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { http } from "../../helpers/sim";

jest.setTimeout(600_000);

const FIXTURE = path.join(repoRoot, "test/fixtures/legacyState/dr-b.json");

describe("state in the format before the provider registry", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
  });
  afterAll(async () => pair?.cleanup());

  test("imports with no change, and its failover promotes through the legacy provider paths", async () => {
    const { a, b } = pair;
    await loadOrders(a.url, A_INDEX, 50);
    // The world the fixture describes, made over REST (the current providers would write the current format).
    const remote = await http(b.url, "PUT", "/_cluster/settings", {
      persistent: {
        "cluster.remote.clusterA.mode": "proxy",
        "cluster.remote.clusterA.proxy_address": a.transportAddress,
        "cluster.remote.clusterA.proxy_socket_connections": 18,
        "cluster.remote.clusterA.skip_unavailable": true,
      },
    });
    expect(remote.status).toBe(200);
    const follow = await http(b.url, "PUT", `/${B_INDEX}/_ccr/follow?wait_for_active_shards=1`, {
      remote_cluster: "clusterA",
      leader_index: A_INDEX,
    });
    expect(follow.status).toBe(200);
    await inSync(a.url, A_INDEX, b.url, B_INDEX);

    const uuid = async (base: string, index: string) =>
      (await http(base, "GET", `/${index}/_settings?flat_settings=true`)).body[index].settings["index.uuid"] as string;
    const clusterUuid = async (base: string) => (await http(base, "GET", "/")).body.cluster_uuid as string;
    const values: Record<string, string> = {
      A_URL: a.url,
      B_URL: b.url,
      A_TRANSPORT: a.transportAddress,
      B_TRANSPORT: b.transportAddress,
      A_INDEX_UUID: await uuid(a.url, A_INDEX),
      B_INDEX_UUID: await uuid(b.url, B_INDEX),
      A_CLUSTER_UUID: await clusterUuid(a.url),
      B_CLUSTER_UUID: await clusterUuid(b.url),
    };
    const text = fs.readFileSync(FIXTURE, "utf8").replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => values[k] ?? m);
    expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
    const deployment = JSON.parse(text);
    const providerTexts = (
      deployment.deployment.resources as Array<{ type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>
    )
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
      .flatMap((r) => [r.inputs?.["__provider"], r.outputs?.["__provider"]]);
    expect(providerTexts.length).toBe(6); // RemoteCluster, QuarantineName, FollowerIndex; inputs and outputs
    for (const t of providerTexts) expect(t).toMatch(/\.provider\("providers\/\w+\/provider\.ts","\w+Provider"\)$/);
    // The files that state names are gone: only the legacy map can serve it.
    expect(fs.existsSync(path.join(repoRoot, "providers/followerIndex/provider.ts"))).toBe(false);

    const drB = await pair.stack("clusterB");
    await drB.importStack(deployment);
    // An upgrade alone changes nothing.
    await expectNoChanges(drB);

    // Failover: clusterA dies, clusterB becomes the primary; its follower is deleted = promoted.
    // (While clusterA answers and takes writes, the failover is refused: stack/splitBrain.ts.)
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const failover = await drB.up();
    expect(failover.summary.resourceChanges).toMatchObject({ delete: 2 }); // the follower and the quarantine name
    expect(failover.outputs.role!.value).toBe("primary");

    // The index on clusterB is a plain, writable index with the promotion record of its leader.
    expect(await followStatus(b.url, B_INDEX)).toBe("none");
    const info = await http(b.url, "GET", `/${B_INDEX}/_ccr/info`);
    expect(info.body.follower_indices ?? []).toEqual([]);
    const kimchy = await http(b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" });
    expect(kimchy.status).toBe(201);
    const meta = (await http(b.url, "GET", `/${B_INDEX}/_mapping`)).body[B_INDEX].mappings._meta;
    expect(decodePromotion(meta, values.B_INDEX_UUID!)).toMatchObject({
      index: B_INDEX,
      cluster: "clusterB",
      promotedFrom: { remoteCluster: "clusterA", leaderIndex: A_INDEX, leaderIndexUuid: values.A_INDEX_UUID },
    });
    await expectNoChanges(drB);
  });
});
