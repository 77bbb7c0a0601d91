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

describe("(e) concurrent deletes", () => {
  test("parallel DELETE /{index}: one acknowledged, the others index_not_found_exception", async () => {
    expect((await http(sim.url, "PUT", "/race-e-del")).status).toBe(200);
    const replies = await Promise.all(Array.from({ length: 6 }, () => http(sim.url, "DELETE", "/race-e-del")));
    expect(replies.filter((r) => r.status === 200).map((r) => r.body)).toEqual([{ acknowledged: true }]);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ type: "index_not_found_exception", reason: "no such index [race-e-del]" });
    }
    await expectNoOrphanFolders();
  });

  test("parallel DELETE /{index}/_alias/{name}: one acknowledged, the others aliases_not_found_exception", async () => {
    expect((await http(sim.url, "PUT", "/race-e-alias", { aliases: { "al-e": {} } })).status).toBe(200);
    const replies = await Promise.all(Array.from({ length: 6 }, () => http(sim.url, "DELETE", "/race-e-alias/_alias/al-e")));
    expect(replies.filter((r) => r.status === 200).map((r) => r.body)).toEqual([{ acknowledged: true }]);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ type: "aliases_not_found_exception", reason: "aliases [al-e] missing" });
    }
    expect((await http(sim.url, "GET", "/race-e-alias/_alias")).body).toEqual({ "race-e-alias": { aliases: {} } });
  });

  test("parallel DELETE _ccr/auto_follow/{name}: one acknowledged, the others resource_not_found_exception", async () => {
    await addRemote(sim.url, "local", sim.transportAddress);
    const put = await http(sim.url, "PUT", "/_ccr/auto_follow/pat-del", {
      remote_cluster: "local",
      leader_index_patterns: ["never-del-*"],
    });
    expect(put.body).toEqual({ acknowledged: true });
    const replies = await Promise.all(Array.from({ length: 6 }, () => http(sim.url, "DELETE", "/_ccr/auto_follow/pat-del")));
    expect(replies.filter((r) => r.status === 200).map((r) => r.body)).toEqual([{ acknowledged: true }]);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ type: "resource_not_found_exception", reason: "auto-follow pattern [pat-del] is missing" });
    }
    expect((await http(sim.url, "GET", "/_ccr/auto_follow/pat-del")).status).toBe(404);
  });

  test("DELETE /{index} while single and bulk writes, flushes and force-merges run: the node stays up, every write gets an answer, none acknowledged is lost", async () => {
    for (let round = 0; round < 4; round++) {
      const index = `race-w${round}`;
      expect((await http(sim.url, "PUT", `/${index}`)).status).toBe(200);
      let deletedAt = Number.POSITIVE_INFINITY;
      const sent = new Map<string, number>();
      const single = (id: string) => {
        sent.set(id, Date.now());
        return http(sim.url, "PUT", `/${index}/_doc/${id}`, { id }).then((r) => ({
          ids: [id],
          replies: [r.status === 201 ? "created" : r],
          r,
        }));
      };
      const bulkOf = (ids: string[]) => {
        for (const id of ids) sent.set(id, Date.now());
        return http(sim.url, "POST", "/_bulk", ndjson(ids.flatMap((id) => [{ create: { _index: index, _id: id } }, { id }])), {
          "content-type": "application/x-ndjson",
        }).then((r) => ({
          ids,
          replies: (r.body.items as Array<{ create: { status: number; result?: string; error?: unknown } }>).map((it) =>
            it.create.status === 201 ? "created" : it.create,
          ),
          r,
        }));
      };
      const before = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? bulkOf([`b${i}-0`, `b${i}-1`, `b${i}-2`]) : single(`s${i}`)));
      const flushes = [http(sim.url, "POST", `/${index}/_flush`)];
      const deletion = http(sim.url, "DELETE", `/${index}`).then((r) => {
        deletedAt = Date.now();
        return r;
      });
      flushes.push(http(sim.url, "POST", `/${index}/_flush`), http(sim.url, "POST", `/${index}/_forcemerge`));
      const during = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? bulkOf([`c${i}-0`, `c${i}-1`]) : single(`t${i}`)));
      const deleted = await deletion;
      expect(deleted.body).toEqual({ acknowledged: true });
      const after = Array.from({ length: 5 }, (_, i) => single(`u${i}`));
      const outcomes = await Promise.all([...before, ...during, ...after]);
      // flushes that met the deletion: the deleted shard is not available (neither successful nor
      // failed, as ES's broadcast actions), or the index is not found at all
      for (const f of await Promise.all(flushes)) {
        if (f.status === 200) expect(f.body._shards).toMatchObject({ failed: 0 });
        else expect(f.body.error).toMatchObject({ type: "index_not_found_exception" });
      }

      // every write got an answer: acknowledged, or ES's error for an index deleted under it
      const acked: string[] = [];
      for (const o of outcomes) {
        expect(o.r.status).toBeLessThan(500);
        o.ids.forEach((id, i) => {
          const reply = o.replies[i];
          if (reply === "created") acked.push(id);
          else expect(reply).toMatchObject({ status: 404, error: { type: "index_not_found_exception" } });
        });
      }
      expect((await http(sim.url, "GET", "/_cluster/health")).status).toBe(200);
      // acknowledged after the deletion was: in the index the writes auto-created again
      const present = new Set<string>();
      if ((await http(sim.url, "HEAD", `/${index}`)).status === 200) {
        await http(sim.url, "POST", `/${index}/_refresh`);
        const hits = await http(sim.url, "GET", `/${index}/_search?size=1000`);
        for (const h of hits.body.hits.hits as Array<{ _id: string }>) present.add(h._id);
      }
      for (const id of acked) if (sent.get(id)! > deletedAt) expect(present.has(id)).toBe(true);
      // and nothing in it that was not acknowledged
      for (const id of present) expect(acked).toContain(id);
      await expectNoOrphanFolders();
    }
  });
});
