/**
 * Concurrent metadata changes against the real es-sim process. Elasticsearch runs every change of
 * the cluster state (index creation, auto-creation, deletion, aliases, cluster settings, CCR
 * follow and auto-follow patterns) one at a time on the master, so concurrent requests never both
 * win: what is acknowledged stays, and the losers get ES's error. Documents written concurrently
 * into an index that does not exist yet all land in the one index that is auto-created.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { addRemote, waitFor } from "../../helpers/ccr";
import { http, ndjson, spawnSim, type SpawnedSim } from "../../helpers/sim";

jest.setTimeout(120_000);

let sim: SpawnedSim;

beforeAll(async () => {
  sim = await spawnSim({ clusterName: "concurrency" });
});
afterAll(() => sim.cleanup());

/** Index folders in the data dir (one per index uuid). */
function indexFolders(): string[] {
  return readdirSync(join(sim.dataDir, "indices"));
}

/** Uuids of the registered indices (`GET _cat/indices`). */
async function indexUuids(): Promise<Map<string, string>> {
  const r = await http(sim.url, "GET", "/_cat/indices?format=json&h=index,uuid&expand_wildcards=all");
  expect(r.status).toBe(200);
  return new Map((r.body as Array<{ index: string; uuid: string }>).map((e) => [e.index, e.uuid]));
}

/** Every folder belongs to a registered index and every index has its folder. */
async function expectNoOrphanFolders(): Promise<void> {
  const uuids = [...(await indexUuids()).values()].sort();
  expect(indexFolders().sort()).toEqual(uuids);
}

async function count(index: string): Promise<number> {
  await http(sim.url, "POST", `/${index}/_refresh`);
  const r = await http(sim.url, "GET", `/${index}/_count`);
  expect(r.status).toBe(200);
  return r.body.count as number;
}

test("(a) 50 parallel PUT /x/_doc/{i} into a missing index: all acknowledged, one index, survive a restart", async () => {
  const n = 50;
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => http(sim.url, "PUT", `/race-a/_doc/${i}`, { i })));
  expect(replies.map((r) => r.status)).toEqual(Array<number>(n).fill(201));
  expect(replies.map((r) => r.body._seq_no as number).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(await count("race-a")).toBe(n);
  const uuid = (await indexUuids()).get("race-a");
  expect(indexFolders().filter((f) => f === uuid)).toHaveLength(1);
  await expectNoOrphanFolders();

  await sim.restart();
  expect(await count("race-a")).toBe(n);
  expect((await indexUuids()).get("race-a")).toBe(uuid);
  await expectNoOrphanFolders();
});

test("(b) 10 parallel _bulk of 10 documents into a missing index: 100 documents", async () => {
  const replies = await Promise.all(
    Array.from({ length: 10 }, (_, b) =>
      http(
        sim.url,
        "POST",
        "/_bulk",
        ndjson(Array.from({ length: 10 }, (_, i) => [{ index: { _index: "race-b", _id: `${b}-${i}` } }, { b, i }]).flat()),
        { "content-type": "application/x-ndjson" },
      ),
    ),
  );
  for (const r of replies) {
    expect(r.status).toBe(200);
    expect(r.body.errors).toBe(false);
  }
  expect(await count("race-b")).toBe(100);
  await expectNoOrphanFolders();
});

test("(c) 10 parallel PUT /idx: one acknowledged, nine resource_already_exists_exception", async () => {
  const replies = await Promise.all(Array.from({ length: 10 }, () => http(sim.url, "PUT", "/race-c")));
  const won = replies.filter((r) => r.status === 200);
  const lost = replies.filter((r) => r.status !== 200);
  expect(won).toHaveLength(1);
  expect(won[0]!.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: "race-c" });
  const uuid = (await indexUuids()).get("race-c")!;
  expect(lost).toHaveLength(9);
  for (const r of lost) {
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("resource_already_exists_exception");
    expect(r.body.error.reason).toBe(`index [race-c/${uuid}] already exists`);
  }
  await expectNoOrphanFolders();
});

describe("(d) other concurrent metadata changes", () => {
  test("create and delete of the same index: one consistent outcome, no orphan folder", async () => {
    for (let round = 0; round < 5; round++) {
      const [created, deleted] = await Promise.all([http(sim.url, "PUT", "/race-d"), http(sim.url, "DELETE", "/race-d")]);
      expect(created.status).toBe(200);
      const exists = await http(sim.url, "HEAD", "/race-d");
      if (deleted.status === 200) expect(exists.status).toBe(404);
      else {
        expect(deleted.body.error.type).toBe("index_not_found_exception");
        expect(exists.status).toBe(200);
        expect((await http(sim.url, "DELETE", "/race-d")).status).toBe(200);
      }
      await expectNoOrphanFolders();
    }
  });

  test("parallel PUT /_cluster/settings of different remote clusters: all of them kept", async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const replies = await Promise.all(
      aliases.map((a, i) =>
        http(sim.url, "PUT", "/_cluster/settings", { persistent: { [`cluster.remote.${a}.seeds`]: `127.0.0.1:${10_000 + i}` } }),
      ),
    );
    for (const r of replies) expect(r.status).toBe(200);
    const check = async () => {
      const s = await http(sim.url, "GET", "/_cluster/settings?flat_settings=true");
      for (const [i, a] of aliases.entries()) expect(s.body.persistent[`cluster.remote.${a}.seeds`]).toBe(`127.0.0.1:${10_000 + i}`);
    };
    await check();
    await sim.restart();
    await check();
    const cleared = await http(sim.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.r*": null } });
    expect(cleared.status).toBe(200);
  });

  test("parallel aliases adds: all of them kept", async () => {
    expect((await http(sim.url, "PUT", "/race-alias")).status).toBe(200);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http(sim.url, "POST", "/_aliases", { actions: [{ add: { index: "race-alias", alias: `al-${i}` } }] }),
      ),
    );
    for (const r of replies) expect(r.body).toEqual({ acknowledged: true, errors: false });
    const got = await http(sim.url, "GET", "/race-alias/_alias");
    expect(Object.keys(got.body["race-alias"].aliases).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `al-${i}`).sort());
  });

  test("parallel PUT /f/_ccr/follow of the same follower: one follower, the others ES's error", async () => {
    await addRemote(sim.url, "local", sim.transportAddress);
    await waitFor("remote local connected", async () => {
      const r = await http(sim.url, "GET", "/_remote/info");
      return r.body.local?.connected === true;
    });
    expect((await http(sim.url, "PUT", "/leader-d")).status).toBe(200);
    expect((await http(sim.url, "PUT", "/leader-d/_doc/1?refresh=true", { a: 1 })).status).toBe(201);
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        http(sim.url, "PUT", "/follower-d/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "local", leader_index: "leader-d" }),
      ),
    );
    const won = replies.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0]!.body).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });
    for (const r of replies.filter((x) => x.status !== 200)) {
      // TransportPutFollowAction restores the follower through RestoreService, which refuses an
      // open index of the same name
      expect(r.status).toBe(500);
      expect(r.body.error.type).toBe("snapshot_restore_exception");
      expect(r.body.error.reason).toContain("cannot restore index [follower-d] because an open index with same name already exists");
    }
    expect(await count("follower-d")).toBe(1);
    await expectNoOrphanFolders();
  });

  test("parallel PUT _ccr/auto_follow/{name}: every pattern kept", async () => {
    const names = Array.from({ length: 5 }, (_, i) => `pat-${i}`);
    const replies = await Promise.all(
      names.map((n) =>
        http(sim.url, "PUT", `/_ccr/auto_follow/${n}`, { remote_cluster: "local", leader_index_patterns: [`never-${n}-*`] }),
      ),
    );
    for (const r of replies) expect(r.body).toEqual({ acknowledged: true });
    const same = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        http(sim.url, "PUT", "/_ccr/auto_follow/pat-same", { remote_cluster: "local", leader_index_patterns: [`same-${i}-*`] }),
      ),
    );
    for (const r of same) expect(r.body).toEqual({ acknowledged: true });
    const got = await http(sim.url, "GET", "/_ccr/auto_follow");
    expect(got.body.patterns.map((p: { name: string }) => p.name).sort()).toEqual([...names, "pat-same"].sort());
    for (const n of [...names, "pat-same"]) expect((await http(sim.url, "DELETE", `/_ccr/auto_follow/${n}`)).status).toBe(200);
  });
});
