/**
 * The FollowerIndex and RemoteCluster dynamic providers through the real Pulumi CLI (Automation
 * API, file:// backend in a temp dir) against two real es-sim processes with security enabled
 * (clusterA = leader, clusterB = follower, user `elastic`, the password a Pulumi secret):
 *
 * 1. create over an index that already follows the same leader adopts it (no re-copy);
 * 2. a follow-parameter change is an update (pause + resume), not a replacement;
 * 3. a pause (and a remote-cluster setting) changed out of band is seen by refresh and repaired by up;
 * 4. a follower stopped by a fatal error (leader history merged away) is re-created by up;
 * 5. a failback create whose lineage the new leader cannot prove is refused and changes nothing;
 * 6. no password is in the exported or the raw state, while the resources keep working.
 *
 * The real program (staged like test/integration/program/program.test.ts, stack `dr-b`: site clusterB,
 * primary clusterA) runs every scenario it can express; the fixture program in
 * test/fixtures/providerProgram (stack `params`) the follow parameters, which the program's
 * configuration does not expose. Each scenario checks the clusters over HTTP, then a preview
 * showing no change.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { repoRoot } from "../../../cli/toolchain";
import { stageProgram } from "../../../cli/workspace";
import { spawnSim, type SpawnedSim } from "../../../sim/spawn";
import { basic, trustEachOther, trustRemote } from "../../helpers/security";
import { waitFor } from "../../helpers/ccr";
import { expectNoChanges } from "../../helpers/drPair";
import { localStack, type TestBackend, withTestBackend } from "../../helpers/pulumi";
import { http, ndjson } from "../../helpers/sim";

jest.setTimeout(600_000);

const execFileAsync = promisify(execFile);

const PASSWORD = "Lifecycle-s3cret-pw";
const BASIC = Buffer.from(`elastic:${PASSWORD}`).toString("base64");
const AUTH = { authorization: `Basic ${BASIC}` };

/** Pulumi's secret envelope in a deployment: `{ [SECRET_SIG]: SECRET_VALUE, ciphertext | plaintext }`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

const ORDERS = "orders"; // leader index on clusterA (the program's index pair)
const REPLICA = "orders-replica"; // its follower on clusterB
const PARAMS = "params"; // leader index of the fixture's follower
const PARAMS_REPLICA = "params-replica";
const FIXTURE_ALIAS = "params_leader";
const LINEAGE_LEADER = "lineage-leader";
const LINEAGE_STALE = "lineage-stale";

// ---------------------------------------------------------------------------------------------
// The clusters over HTTP (every call authenticated).

function es(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  return http(base, method, p, body, { ...AUTH, ...headers });
}

/** A call that must answer `status` (default 200); returns the body. */
async function must(base: string, method: string, p: string, body?: unknown, status = 200): Promise<any> {
  const r = await es(base, method, p, body);
  if (r.status !== status) throw new Error(`${method} ${p} answered ${r.status}: ${r.text}`);
  return r.body;
}

async function bulk(base: string, index: string, n: number, prefix: string): Promise<void> {
  const lines = Array.from({ length: n }, (_, i) => [{ index: { _index: index, _id: `${prefix}-${i}` } }, { n: i, tag: prefix }]).flat();
  const r = await es(base, "POST", "/_bulk?refresh=true", ndjson(lines), { "content-type": "application/x-ndjson" });
  if (r.status !== 200 || r.body.errors) throw new Error(`bulk into ${index} failed: ${r.text.slice(0, 500)}`);
}

/** Every document (id and source), sorted by id, after a refresh. */
async function docs(base: string, index: string): Promise<Array<{ id: string; source: unknown }>> {
  await must(base, "POST", `/${index}/_refresh`);
  const r = await must(base, "POST", `/${index}/_search?size=10000`, { query: { match_all: {} } });
  return (r.hits.hits as Array<{ _id: string; _source: unknown }>)
    .map((h) => ({ id: h._id, source: h._source }))
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** Waits until the follower holds exactly the leader's documents; returns them. */
async function inSync(
  leader: SpawnedSim,
  leaderIndex: string,
  follower: SpawnedSim,
  followerIndex: string,
): Promise<Array<{ id: string; source: unknown }>> {
  const want = await docs(leader.url, leaderIndex);
  return waitFor(`${followerIndex} on ${follower.clusterName} to match ${leaderIndex}`, async () => {
    const got = await docs(follower.url, followerIndex);
    return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
  });
}

async function uuidOf(base: string, index: string): Promise<string> {
  const r = await must(base, "GET", `/${index}/_settings?flat_settings=true&expand_wildcards=all`);
  return r[index].settings["index.uuid"] as string;
}

/** `GET /{index}/_ccr/info` of the follower, or undefined when the index is not a follower. */
async function followInfo(base: string, index: string): Promise<any> {
  const r = await must(base, "GET", `/${index}/_ccr/info`);
  return r.follower_indices?.[0];
}

/** The single shard's follower stats (`GET /{index}/_ccr/stats`). */
async function followStats(base: string, index: string): Promise<any> {
  const r = await must(base, "GET", `/${index}/_ccr/stats`);
  return r.indices[0].shards[0];
}

/** Persistent remote-cluster settings of `alias`, flat. */
async function remoteSettings(base: string, alias: string): Promise<Record<string, unknown>> {
  const r = await must(base, "GET", "/_cluster/settings?flat_settings=true");
  return Object.fromEntries(
    Object.entries(r.persistent as Record<string, unknown>).filter(([k]) => k.startsWith(`cluster.remote.${alias}.`)),
  );
}

/** CCR retention leases on the leader's shard. */
async function ccrLeases(base: string, index: string): Promise<any[]> {
  const s = await must(base, "GET", `/${index}/_stats?level=shards`);
  return (s.indices[index].shards["0"][0].retention_leases.leases as any[]).filter((l) => l.source === "ccr");
}

/** Names of indices matching `pattern` (none → []). */
async function indicesMatching(base: string, pattern: string): Promise<string[]> {
  const r = await must(base, "GET", `/_cat/indices/${pattern}?format=json&h=index&expand_wildcards=all`);
  return (r as Array<{ index: string }>).map((x) => x.index).sort();
}

/** Everything a refused failback must leave as it was: documents, UUID, settings, mapping, follow state. */
async function snapshotIndex(base: string, index: string): Promise<Record<string, unknown>> {
  const settings = (await must(base, "GET", `/${index}/_settings?flat_settings=true`))[index].settings;
  const mappings = (await must(base, "GET", `/${index}/_mapping`))[index].mappings;
  const cat = await must(base, "GET", `/_cat/indices/${index}?format=json&h=index,status&expand_wildcards=all`);
  return { docs: await docs(base, index), settings, mappings, status: cat[0].status, follower: (await followInfo(base, index)) ?? "none" };
}

// ---------------------------------------------------------------------------------------------
// Pulumi.

/**
 * The steps of a preview or update for the ccr-dr resources, from the engine's events:
 * `"FollowerIndex::orders-replica"` → its ops (`same` left out), and the keys a replacement is for.
 */
function stepRecorder(): { onEvent: (e: EngineEvent) => void; ops: Record<string, string[]>; replaceKeys: Record<string, string[]> } {
  const ops: Record<string, string[]> = {};
  const replaceKeys: Record<string, string[]> = {};
  const onEvent = (e: EngineEvent) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.op === "same" || !/:(FollowerIndex|RemoteCluster)$/.test(m.type)) return;
    const key = `${m.type.split(":").pop()}::${m.urn.split("::").pop()}`;
    (ops[key] ??= []).push(m.op);
    if (m.op === "replace" && m.keys) replaceKeys[key] = [...m.keys].sort();
  };
  return { onEvent, ops, replaceKeys };
}

/** The state of FollowerIndex `index` in the stack, if there is one. */
async function followerState(stack: Stack, index: string): Promise<{ inputs: any; outputs: any } | undefined> {
  const d = (await stack.exportStack()).deployment as { resources?: Array<{ urn: string; type: string; inputs: any; outputs: any }> };
  return (d.resources ?? []).find((r) => r.type.endsWith(":FollowerIndex") && r.urn.endsWith(`::${index}`));
}

async function upError(stack: Stack): Promise<string> {
  return stack.up().then(
    (r) => {
      throw new Error(`expected pulumi up to fail; it succeeded:\n${r.stdout}`);
    },
    (e: Error) => e.message,
  );
}

/** `v` with every secret envelope replaced by "[secret]". */
function maskSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (typeof v !== "object" || v === null) return v;
  if ((v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE) return "[secret]";
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

// ---------------------------------------------------------------------------------------------

describe("FollowerIndex and RemoteCluster providers through pulumi, on a secured es-sim pair", () => {
  let backend: TestBackend;
  let a: SpawnedSim; // clusterA: the leader
  let b: SpawnedSim; // clusterB: the follower
  let programDir: string;
  let fixtureDir: string;
  let drB: Stack; // the real program, site clusterB following clusterA
  let fixture: Stack; // the fixture program on clusterB

  const cluster = (s: SpawnedSim) => ({
    endpoint: s.url,
    mode: "proxy",
    proxyAddress: s.transportAddress,
    proxySocketConnections: 18,
    skipUnavailable: true,
    username: "elastic",
  });

  beforeAll(async () => {
    backend = await withTestBackend();
    const secured = { settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: PASSWORD } };
    [a, b] = await Promise.all([
      spawnSim({ clusterName: "clusterA", dataDir: fs.mkdtempSync(path.join(backend.dir, "a-")), ...secured }),
      spawnSim({ clusterName: "clusterB", dataDir: fs.mkdtempSync(path.join(backend.dir, "b-")), ...secured }),
    ]);
    await trustEachOther(a, b, basic("elastic", PASSWORD));
    // the fixture program registers clusterA under its own alias too
    await trustRemote(b, FIXTURE_ALIAS, a, basic("elastic", PASSWORD));

    programDir = stageProgram(path.join(backend.dir, "program"), {
      "dr-b": {
        site: "clusterB",
        primary: "clusterA",
        clusters: { clusterA: cluster(a), clusterB: cluster(b) },
        indices: [{ clusterA: ORDERS, clusterB: REPLICA }],
      },
    });
    drB = await localStack(backend, programDir, "dr-b");
    for (const c of ["clusterA", "clusterB"]) await drB.setConfig(`ccr-dr:clusters.${c}.password`, { value: PASSWORD, secret: true }, true);

    // The fixture program, staged like the real one: its files linked (they load the repository's
    // loader.js and providers from their real location), its own Pulumi.yaml and stack file.
    const src = path.join(repoRoot, "test", "fixtures", "providerProgram");
    fixtureDir = path.join(backend.dir, "fixture");
    fs.mkdirSync(fixtureDir);
    for (const f of ["program.js", "loader.js", "index.ts"]) fs.symlinkSync(path.join(src, f), path.join(fixtureDir, f));
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(fixtureDir, "node_modules"));
    fs.copyFileSync(path.join(src, "Pulumi.yaml"), path.join(fixtureDir, "Pulumi.yaml"));
    fixture = await localStack(backend, fixtureDir, "params");
    await fixture.setAllConfig({
      "provider-program:follower": { value: JSON.stringify({ name: "clusterB", endpoint: b.url, username: "elastic" }) },
      "provider-program:leader": {
        value: JSON.stringify({ name: "clusterA", endpoint: a.url, transportAddress: a.transportAddress, username: "elastic" }),
      },
      "provider-program:alias": { value: FIXTURE_ALIAS },
      "provider-program:password": { value: PASSWORD, secret: true },
      "provider-program:followers": { value: "[]" },
    });
  });
  afterEach(() => {
    // When a scenario fails, what the clusters said is the first thing to read.
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${a?.stderr()}\nclusterB:\n${b?.stderr()}`);
  });
  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
    backend?.cleanup();
  });

  test("create over an index already following the same leader adopts it: same index UUID and documents, no change on a second preview", async () => {
    await must(a.url, "PUT", `/${ORDERS}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await bulk(a.url, ORDERS, 40, "order");
    // Set up by hand before any `pulumi up`: the alias exactly as the program registers it, and the follower.
    await must(b.url, "PUT", "/_cluster/settings", {
      persistent: {
        "cluster.remote.clusterA.mode": "proxy",
        "cluster.remote.clusterA.proxy_address": a.transportAddress,
        "cluster.remote.clusterA.proxy_socket_connections": 18,
        "cluster.remote.clusterA.skip_unavailable": true,
      },
    });
    const started = await must(b.url, "PUT", `/${REPLICA}/_ccr/follow?wait_for_active_shards=1`, {
      remote_cluster: "clusterA",
      leader_index: ORDERS,
    });
    expect(started.index_following_started).toBe(true);
    const replicated = await inSync(a, ORDERS, b, REPLICA);
    const uuid = await uuidOf(b.url, REPLICA);
    const remoteBefore = await remoteSettings(b.url, "clusterA");

    const steps = stepRecorder();
    const up = await drB.up({ onEvent: steps.onEvent });
    expect(steps.ops).toEqual({ "RemoteCluster::clusterA-remote": ["create"], [`FollowerIndex::${REPLICA}`]: ["create"] });
    expect((up.outputs.indexStatus!.value as any)[REPLICA].status).toBe("active");

    // The world: the same follower (no re-copy), still following the same leader, the same documents.
    expect(await uuidOf(b.url, REPLICA)).toBe(uuid);
    expect(await followInfo(b.url, REPLICA)).toMatchObject({
      follower_index: REPLICA,
      remote_cluster: "clusterA",
      leader_index: ORDERS,
      status: "active",
    });
    expect(await docs(b.url, REPLICA)).toEqual(replicated);
    expect(await remoteSettings(b.url, "clusterA")).toEqual(remoteBefore);
    expect((await must(b.url, "GET", "/_remote/info")).clusterA).toMatchObject({
      connected: true,
      mode: "proxy",
      proxy_address: a.transportAddress,
    });
    // What the provider recorded matches the world: this index, and the leader's identity for a later failback.
    const state = await followerState(drB, REPLICA);
    expect(state?.outputs).toMatchObject({
      status: "active",
      indexUuid: uuid,
      leaderIdentity: { clusterName: "clusterA", indexUuid: await uuidOf(a.url, ORDERS) },
    });
    // The adopted follower keeps replicating.
    await bulk(a.url, ORDERS, 5, "after-adopt");
    expect(await inSync(a, ORDERS, b, REPLICA)).toHaveLength(45);
    await expectNoChanges(drB);
  });

  test("a follow-parameter change is an update (pause + resume with the new value), not a replacement", async () => {
    await must(a.url, "PUT", `/${PARAMS}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await bulk(a.url, PARAMS, 30, "p");
    const follower = (maxReadRequestOperationCount: number) =>
      JSON.stringify([
        { index: PARAMS_REPLICA, leaderIndex: PARAMS, parameters: { maxReadRequestOperationCount, maxOutstandingReadRequests: 4 } },
      ]);
    await fixture.setConfig("provider-program:followers", { value: follower(1000) });
    const createSteps = stepRecorder();
    await fixture.up({ onEvent: createSteps.onEvent });
    expect(createSteps.ops).toEqual({
      [`RemoteCluster::${FIXTURE_ALIAS}-remote`]: ["create"],
      [`FollowerIndex::${PARAMS_REPLICA}`]: ["create"],
    });
    expect(await followInfo(b.url, PARAMS_REPLICA)).toMatchObject({
      remote_cluster: FIXTURE_ALIAS,
      leader_index: PARAMS,
      status: "active",
      parameters: { max_read_request_operation_count: 1000, max_outstanding_read_requests: 4 },
    });
    await inSync(a, PARAMS, b, PARAMS_REPLICA);
    const uuid = await uuidOf(b.url, PARAMS_REPLICA);
    await expectNoChanges(fixture);

    await fixture.setConfig("provider-program:followers", { value: follower(64) });
    const planned = stepRecorder();
    const preview = await fixture.preview({ diff: true, onEvent: planned.onEvent });
    expect(planned.ops).toEqual({ [`FollowerIndex::${PARAMS_REPLICA}`]: ["update"] });
    expect(preview.stdout).toMatch(/maxReadRequestOperationCount\s*:\s*1000\s*=>\s*64/);
    const done = stepRecorder();
    const updated = await fixture.up({ onEvent: done.onEvent });
    expect(done.ops).toEqual({ [`FollowerIndex::${PARAMS_REPLICA}`]: ["update"] });

    const info = await followInfo(b.url, PARAMS_REPLICA);
    expect(info.status).toBe("active");
    expect(info.parameters).toMatchObject({ max_read_request_operation_count: 64, max_outstanding_read_requests: 4 });
    expect(await uuidOf(b.url, PARAMS_REPLICA)).toBe(uuid); // the same follower, not re-created
    expect((await followStats(b.url, PARAMS_REPLICA)).fatal_exception).toBeUndefined();
    await bulk(a.url, PARAMS, 10, "after-update");
    expect(await inSync(a, PARAMS, b, PARAMS_REPLICA)).toHaveLength(40);
    expect(updated.outputs.statuses!.value).toEqual({ [PARAMS_REPLICA]: "active" });
    await expectNoChanges(fixture);
  });

  test("a pause and a remote-cluster setting changed out of band: refresh sees them, preview shows why, up repairs both", async () => {
    const uuid = await uuidOf(b.url, REPLICA);
    await must(b.url, "POST", `/${REPLICA}/_ccr/pause_follow`);
    await must(b.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.clusterA.proxy_socket_connections": 5 } });
    expect((await followInfo(b.url, REPLICA)).status).toBe("paused");
    await bulk(a.url, ORDERS, 10, "during-pause");
    // check and diff never call a cluster: without a refresh the drift is invisible.
    await expectNoChanges(drB);

    await drB.refresh();
    const planned = stepRecorder();
    const preview = await drB.preview({ diff: true, onEvent: planned.onEvent });
    expect(planned.ops).toEqual({ "RemoteCluster::clusterA-remote": ["update"], [`FollowerIndex::${REPLICA}`]: ["update"] });
    expect(preview.stdout).toContain("following was paused outside ccr-dr; `up` resumes it");
    expect(preview.stdout).toMatch(/status\s*:\s*"paused"\s*=>\s*"active"/);
    expect(preview.stdout).toMatch(/proxySocketConnections\s*:\s*5\s*=>\s*18/);

    const done = stepRecorder();
    const up = await drB.up({ onEvent: done.onEvent });
    expect(done.ops).toEqual(planned.ops);
    expect((up.outputs.indexStatus!.value as any)[REPLICA].status).toBe("active");
    expect((await followInfo(b.url, REPLICA)).status).toBe("active");
    expect(await uuidOf(b.url, REPLICA)).toBe(uuid);
    expect(await remoteSettings(b.url, "clusterA")).toMatchObject({ "cluster.remote.clusterA.proxy_socket_connections": "18" });
    expect(await inSync(a, ORDERS, b, REPLICA)).toHaveLength(55); // caught up with what was written during the pause
    await expectNoChanges(drB);
  });

  test("a follower stopped by a fatal error (leader history merged away): refresh, preview shows a replace with the reason, up re-creates it", async () => {
    const uuid = await uuidOf(b.url, REPLICA);
    // The history the follower needs is merged away on the leader once its retention lease expired
    // (the recipe of ccrFaults.test.ts): lease period 1s, pause, expiry, updates, delete, forcemerge, resume.
    await must(a.url, "PUT", `/${ORDERS}/_settings`, { "index.soft_deletes.retention_lease.period": "1s" });
    await waitFor("the follower's lease on the leader", async () => (await ccrLeases(a.url, ORDERS)).length === 1);
    await must(b.url, "POST", `/${REPLICA}/_ccr/pause_follow`);
    await waitFor("the lease to expire", async () => (await ccrLeases(a.url, ORDERS)).length === 0);
    for (let i = 0; i < 5; i++) await must(a.url, "POST", `/${ORDERS}/_update/order-${i}`, { doc: { round: 2 } });
    await must(a.url, "DELETE", `/${ORDERS}/_doc/order-8`);
    await must(a.url, "POST", `/${ORDERS}/_forcemerge`);
    await must(b.url, "POST", `/${REPLICA}/_ccr/resume_follow`);
    const fatal = await waitFor("the fatal exception", async () => (await followStats(b.url, REPLICA)).fatal_exception);
    expect(fatal.type).toBe("resource_not_found_exception");
    expect(fatal.requested_operations_missing).toBeDefined();

    await drB.refresh();
    const planned = stepRecorder();
    const preview = await drB.preview({ diff: true, onEvent: planned.onEvent });
    // Delete-before-replace (the delete half promotes, the create half replaces that pristine copy), because of `status`.
    expect(planned.ops).toEqual({ [`FollowerIndex::${REPLICA}`]: ["delete-replaced", "replace", "create-replacement"] });
    expect(planned.replaceKeys).toEqual({ [`FollowerIndex::${REPLICA}`]: ["status"] });
    expect(preview.stdout).toContain(
      "the follower stopped with a fatal error (resource_not_found_exception: Operations are no longer available for replicating",
    );
    expect(preview.stdout).toMatch(/status\s*:\s*"fatal"\s*=>\s*"active"/);

    const done = stepRecorder();
    const up = await drB.up({ onEvent: done.onEvent });
    expect(done.ops).toEqual(planned.ops);
    expect((up.outputs.indexStatus!.value as any)[REPLICA].status).toBe("active");
    const newUuid = await uuidOf(b.url, REPLICA);
    expect(newUuid).not.toBe(uuid); // re-created from the leader
    expect(await followInfo(b.url, REPLICA)).toMatchObject({ remote_cluster: "clusterA", leader_index: ORDERS, status: "active" });
    expect((await followStats(b.url, REPLICA)).fatal_exception).toBeUndefined();
    const held = await inSync(a, ORDERS, b, REPLICA);
    expect(held).toHaveLength(54); // 55 − the deleted order-8
    expect(held.find((d) => d.id === "order-0")?.source).toMatchObject({ round: 2 });
    expect((await followerState(drB, REPLICA))?.outputs.indexUuid).toBe(newUuid);
    await expectNoChanges(drB);
    await must(a.url, "PUT", `/${ORDERS}/_settings`, { "index.soft_deletes.retention_lease.period": null });
  });

  test("a failback create the new leader's promotion record does not prove is refused with the fix, changing nothing", async () => {
    await must(a.url, "PUT", `/${LINEAGE_LEADER}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await bulk(a.url, LINEAGE_LEADER, 15, "new");
    await must(b.url, "PUT", `/${LINEAGE_STALE}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await bulk(b.url, LINEAGE_STALE, 12, "stale");
    const staleUuid = await uuidOf(b.url, LINEAGE_STALE);
    const leaderUuid = await uuidOf(a.url, LINEAGE_LEADER);
    await drB.setConfig("ccr-dr:indices[1].clusterA", { value: LINEAGE_LEADER }, true);
    await drB.setConfig("ccr-dr:indices[1].clusterB", { value: LINEAGE_STALE }, true);

    const expectNothingChanged = async (stale: Record<string, unknown>, leader: Record<string, unknown>) => {
      const now = await snapshotIndex(b.url, LINEAGE_STALE);
      expect(now).toEqual(stale);
      expect((now["settings"] as Record<string, unknown>)["index.uuid"]).toBe(staleUuid);
      expect((now["settings"] as Record<string, unknown>)["index.blocks.write"]).toBeUndefined(); // no fence was set
      expect(now["status"]).toBe("open");
      expect(await snapshotIndex(a.url, LINEAGE_LEADER)).toEqual(leader);
      expect(await indicesMatching(b.url, "*quarantine*")).toEqual([]);
      expect(await indicesMatching(a.url, "*quarantine*")).toEqual([]);
      expect(await followerState(drB, LINEAGE_STALE)).toBeUndefined();
      // The other pair is untouched by the failed update.
      expect((await followInfo(b.url, REPLICA)).status).toBe("active");
    };

    // (a) A leader index created directly on clusterA: no promotion record at all.
    const stale = await snapshotIndex(b.url, LINEAGE_STALE);
    const leader = await snapshotIndex(a.url, LINEAGE_LEADER);
    expect((stale["docs"] as unknown[]).length).toBe(12);
    const noRecord = await upError(drB);
    expect(noRecord).toContain(
      `FollowerIndex "${LINEAGE_STALE}" on cluster "clusterB": failback refused: leader index "${LINEAGE_LEADER}" on cluster "clusterA" carries no ccr-dr promotion record, ` +
        `so nothing proves it was promoted from index "${LINEAGE_STALE}" on cluster "clusterB", and nothing tells which local writes it lacks. Nothing was changed. ` +
        "Check that remoteCluster/leaderIndex name the index that was promoted from this one; if this index really is to be discarded, snapshot or reindex it and delete it by hand.",
    );
    expect(noRecord).not.toContain(PASSWORD);
    await expectNothingChanged(stale, leader);

    // (b) A promotion record that names this index, but another index of that name (another UUID).
    const record = {
      version: 1,
      index: LINEAGE_LEADER,
      index_uuid: leaderUuid,
      cluster: "clusterA",
      promoted_from: {
        remote_cluster: "clusterB",
        leader_index: LINEAGE_STALE,
        leader_index_uuid: "an0therIndexUuid000000",
        leader_cluster_name: "clusterB",
      },
      promoted_at: new Date().toISOString(),
      checkpoints_known: true,
      shards: [{ shard: 0, global_checkpoint: 5, max_seq_no: 5 }],
      write_block_added: true,
    };
    await must(a.url, "PUT", `/${LINEAGE_LEADER}/_mapping`, { _meta: { ccr_dr: { promotion: record } } });
    const leaderWithRecord = await snapshotIndex(a.url, LINEAGE_LEADER);
    expect((leaderWithRecord["mappings"] as any)._meta.ccr_dr.promotion.index_uuid).toBe(leaderUuid);
    const otherIndex = await upError(drB);
    expect(otherIndex).toContain(
      `FollowerIndex "${LINEAGE_STALE}" on cluster "clusterB": failback refused: leader index "${LINEAGE_LEADER}" on cluster "clusterA" was promoted from an index ` +
        `"${LINEAGE_STALE}" with UUID an0therIndexUuid000000, but the local "${LINEAGE_STALE}" on cluster "clusterB" has UUID ${staleUuid}: it is a different index. Nothing was changed.`,
    );
    await expectNothingChanged(stale, leaderWithRecord);

    // The stale index still takes writes: the refusal left no write block.
    expect((await es(b.url, "PUT", `/${LINEAGE_STALE}/_doc/after-refusal?refresh=true`, { ok: true })).status).toBe(201);
    expect(await docs(b.url, LINEAGE_STALE)).toHaveLength(13);

    // Dropping the pair converges (the failed pair's QuarantineName goes) and leaves the index alone.
    await drB.removeConfig("ccr-dr:indices[1]", true);
    const steps = stepRecorder();
    await drB.up({ onEvent: steps.onEvent });
    expect(steps.ops).toEqual({});
    expect(await followerState(drB, LINEAGE_STALE)).toBeUndefined();
    expect(await uuidOf(b.url, LINEAGE_STALE)).toBe(staleUuid);
    await expectNoChanges(drB);
  });

  test("no password in the exported or the raw state; the stored credentials still work", async () => {
    // The clusters really require the credentials.
    expect((await http(b.url, "GET", "/")).status).toBe(401);
    expect((await http(a.url, "GET", "/")).status).toBe(401);
    // A refresh reads every resource with the credentials from the state; nothing drifted.
    for (const stack of [drB, fixture]) {
      expect((await stack.refresh()).summary.result).toBe("succeeded");
      await expectNoChanges(stack);
    }
    await bulk(a.url, ORDERS, 3, "after-refresh");
    await bulk(a.url, PARAMS, 3, "after-refresh");
    await inSync(a, ORDERS, b, REPLICA);
    await inSync(a, PARAMS, b, PARAMS_REPLICA);

    for (const stack of [drB, fixture]) {
      // `stack.exportStack()` runs `pulumi stack export --show-secrets`: secrets come back decrypted,
      // inside Pulumi's secret envelope. The credentials must be there, and only inside envelopes.
      const exported = (await stack.exportStack()).deployment;
      const masked = JSON.stringify(maskSecrets(exported));
      expect(masked).not.toContain(PASSWORD);
      expect(masked).not.toContain(BASIC);
      const withCredentials = (exported.resources as Array<{ urn: string; type: string; inputs: any; outputs: any }>).filter((r) =>
        /:(FollowerIndex|RemoteCluster)$/.test(r.type),
      );
      expect(withCredentials.length).toBeGreaterThanOrEqual(2);
      for (const r of withCredentials) {
        const keys = r.type.endsWith(":FollowerIndex") ? ["credentials", "leaderCredentials"] : ["credentials"];
        for (const k of keys) {
          for (const v of [r.inputs[k], r.outputs[k]]) {
            expect([r.urn, k, v?.[SECRET_SIG]]).toEqual([r.urn, k, SECRET_VALUE]);
            expect(JSON.parse(v.plaintext)).toEqual({ username: "elastic", password: PASSWORD });
          }
        }
        expect(JSON.stringify(r.outputs.connection)).not.toMatch(/password|basicAuth|apiKey/);
      }

      // The export an operator gets (`pulumi stack export`, no --show-secrets): ciphertext only.
      const plain = await execFileAsync(backend.command.command, ["stack", "export", "--stack", stack.name, "--non-interactive"], {
        cwd: stack.workspace.workDir,
        env: { ...process.env, ...backend.env },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(plain.stdout).not.toContain(PASSWORD);
      expect(plain.stdout).not.toContain(BASIC);
      const encrypted = (JSON.parse(plain.stdout).deployment.resources as Array<{ type: string; outputs: any }>).filter((r) =>
        /:(FollowerIndex|RemoteCluster)$/.test(r.type),
      );
      expect(encrypted.length).toBe(withCredentials.length);
      for (const r of encrypted)
        expect(r.outputs.credentials).toMatchObject({ [SECRET_SIG]: SECRET_VALUE, ciphertext: expect.any(String) });
    }

    // The file backend's own files: current state, backups, history (every checkpoint of every update).
    const stateFiles = filesUnder(path.join(backend.dir, "state"));
    for (const name of ["dr-b", "params"]) {
      // The current state is there, as plain JSON holding the credentials encrypted (so the scan below reads what matters).
      const current = stateFiles.filter((f) => f.endsWith(`${path.sep}${name}.json`) && f.includes(`${path.sep}stacks${path.sep}`));
      expect(current).toHaveLength(1);
      expect(fs.readFileSync(current[0]!, "utf8")).toMatch(
        /"credentials":\s*\{\s*"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext"/,
      );
    }
    for (const f of [...stateFiles, path.join(programDir, "Pulumi.dr-b.yaml"), path.join(fixtureDir, "Pulumi.params.yaml")]) {
      const text = fs.readFileSync(f, "utf8");
      expect([f, text.includes(PASSWORD), text.includes(BASIC)]).toEqual([f, false, false]);
    }
  });
});
