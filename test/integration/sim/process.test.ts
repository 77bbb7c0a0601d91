/**
 * bin/es-sim as a real process: start line, --help, lock refusal, SIGTERM, kill -9 durability with
 * concurrent writers, restart restoring everything, corrupt/foreign data dirs, transport handshake,
 * and optional security.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { PeerConnection } from "../../../sim/transport/client";
import { ES_SIM_BIN, http, ndjson, runEsSim, spawnSim, type SpawnedSim } from "../../helpers/sim";

const sims: SpawnedSim[] = [];
async function sim(opts: Parameters<typeof spawnSim>[0] = {}): Promise<SpawnedSim> {
  const s = await spawnSim(opts);
  sims.push(s);
  return s;
}
afterAll(async () => {
  for (const s of sims) await s.cleanup();
});

test("--help documents every setting; unknown settings fail", () => {
  const help = execFileSync(process.execPath, [ES_SIM_BIN, "--help"], { encoding: "utf8" });
  for (const key of ["cluster.name", "node.name", "http.port", "transport.port", "path.data", "network.host", "xpack.security.enabled"]) {
    expect(help).toContain(key);
  }
  expect(() => execFileSync(process.execPath, [ES_SIM_BIN, "-E", "no.such=1"], { stdio: "pipe" })).toThrow(/unknown setting \[no.such\]/);
});

test("prints one start line; a second process on the same data dir is refused; SIGTERM exits 0", async () => {
  const a = await sim({ clusterName: "clusterA", nodeName: "a1" });
  expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(a.transportAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  const info = await http(a.url, "GET", "/");
  expect(info.body).toMatchObject({
    name: "a1",
    cluster_name: "clusterA",
    version: { build_flavor: "default" },
    tagline: "You Know, for Search",
  });
  expect(info.body.version.number).toMatch(/^8\./);
  await expect(runEsSim(["-E", `path.data=${a.dataDir}`, "-E", "http.port=0", "-E", "transport.port=0"])).rejects.toThrow(
    /failed to obtain node locks/,
  );
  expect(await a.kill("SIGTERM")).toBe(0);
  expect(readdirSync(a.dataDir)).not.toContain("node.lock");
  await a.restart(); // a stale lock of a dead pid is taken over as well
  await a.kill("SIGKILL");
  await a.restart();
  expect((await http(a.url, "GET", "/")).body.cluster_name).toBe("clusterA");
});

test("kill -9 with concurrent writers: every acknowledged write survives", async () => {
  const s = await sim();
  await http(s.url, "PUT", "/dur", { settings: { number_of_replicas: 0 } });
  const acked = new Set<string>();
  let stop = false;
  const writer = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const id = `${w}-${n}`;
      try {
        const r = await http(s.url, "PUT", `/dur/_doc/${id}`, { w, n, pad: "x".repeat(200) });
        if (r.status === 201) acked.add(id);
      } catch {
        return; // connection died with the process
      }
    }
  };
  const bulkWriter = async () => {
    for (let n = 0; !stop; n++) {
      const lines: unknown[] = [];
      for (let k = 0; k < 50; k++) lines.push({ index: { _index: "dur", _id: `b-${n}-${k}` } }, { n, k });
      try {
        const r = await http(s.url, "POST", "/_bulk", ndjson(lines), { "content-type": "application/x-ndjson" });
        if (r.status === 200) for (const item of r.body.items) if (item.index.status === 201) acked.add(item.index._id);
      } catch {
        return;
      }
    }
  };
  const writers = [...Array.from({ length: 8 }, (_, w) => writer(w)), bulkWriter(), bulkWriter()];
  while (acked.size < 1500) await new Promise((r) => setTimeout(r, 20));
  await s.kill("SIGKILL");
  stop = true;
  await Promise.all(writers);
  await s.restart();
  await http(s.url, "POST", "/dur/_refresh");
  const count = (await http(s.url, "GET", "/dur/_count")).body.count;
  expect(count).toBeGreaterThanOrEqual(acked.size);
  const missing: string[] = [];
  const ids = [...acked];
  for (let i = 0; i < ids.length; i += 200) {
    const results = await Promise.all(ids.slice(i, i + 200).map((id) => http(s.url, "GET", `/dur/_doc/${id}`)));
    results.forEach((r, k) => {
      if (r.status !== 200) missing.push(ids[i + k]!);
    });
  }
  expect(missing).toEqual([]);
  const stats = (await http(s.url, "GET", "/dur/_stats?level=shards")).body.indices.dur.shards["0"][0];
  expect(stats.seq_no.local_checkpoint).toBe(stats.seq_no.max_seq_no);
});

test("restart restores indices, settings, mappings, aliases, closed state, blocks, seq_nos and persistent cluster settings", async () => {
  const s = await sim();
  await http(s.url, "PUT", "/keep", {
    settings: { number_of_replicas: 0, "index.refresh_interval": "5s" },
    mappings: { _meta: { owner: "dr" }, properties: { user: { type: "keyword" } } },
    aliases: { "keep-alias": {} },
  });
  await http(s.url, "PUT", "/keep/_doc/1", { user: "kimchy" });
  await http(s.url, "DELETE", "/keep/_doc/1");
  await http(s.url, "PUT", "/keep/_doc/2", { user: "other" });
  await http(s.url, "PUT", "/keep/_block/write");
  await http(s.url, "PUT", "/shut", {});
  await http(s.url, "POST", "/shut/_close");
  await http(s.url, "PUT", "/_cluster/settings", {
    persistent: { "action.auto_create_index": "false" },
    transient: { "search.max_buckets": 100 },
  });
  const before = (await http(s.url, "GET", "/keep/_settings?flat_settings")).body.keep.settings;

  await s.kill("SIGKILL");
  await s.restart();

  expect((await http(s.url, "GET", "/keep/_settings?flat_settings")).body.keep.settings).toEqual(before);
  expect((await http(s.url, "GET", "/keep/_mapping")).body.keep.mappings).toMatchObject({
    _meta: { owner: "dr" },
    properties: { user: { type: "keyword" } },
  });
  expect((await http(s.url, "GET", "/keep/_alias")).body).toEqual({ keep: { aliases: { "keep-alias": {} } } });
  expect((await http(s.url, "GET", "/keep-alias/_doc/2")).body).toMatchObject({ _seq_no: 2, _version: 1, found: true });
  const blocked = await http(s.url, "PUT", "/keep/_doc/3", { user: "x" });
  expect(blocked.status).toBe(403);
  expect(blocked.body.error.type).toBe("cluster_block_exception");
  expect((await http(s.url, "GET", "/_cat/indices/shut?format=json")).body[0].status).toBe("close");
  expect((await http(s.url, "GET", "/_cluster/settings")).body).toEqual({
    persistent: { action: { auto_create_index: "false" } },
    transient: {},
  });
  await http(s.url, "PUT", "/keep/_settings", { "index.blocks.write": false });
  const next = await http(s.url, "PUT", "/keep/_doc/3", { user: "x" });
  expect(next.body).toMatchObject({ _seq_no: 3, _primary_term: 2 });
});

test("a corrupt or foreign data dir fails to start with a clear message and exit code 1", async () => {
  const foreign = mkdtempSync(join(tmpdir(), "es-sim-foreign-"));
  mkdirSync(join(foreign, "nodes"));
  writeFileSync(join(foreign, "nodes", "0"), "x");
  const err = await runEsSim(["-E", `path.data=${foreign}`, "-E", "http.port=0", "-E", "transport.port=0"]).catch((e) => e);
  expect(err.code).toBe(1);
  expect(err.stderr).toMatch(/is not an es-sim data directory/);
  rmSync(foreign, { recursive: true, force: true });

  const s = await sim();
  await http(s.url, "PUT", "/x", {});
  await s.kill("SIGKILL");
  const uuid = readdirSync(join(s.dataDir, "indices"))[0]!;
  writeFileSync(join(s.dataDir, "indices", uuid, "snapshot.bin"), "ESSIMSNP\u0001\u0000\u0000\u0000garbage");
  const corrupt = await s.restart().catch((e) => e);
  expect(corrupt.code).toBe(1);
  expect(corrupt.stderr).toMatch(/snapshot.bin\] is corrupt/);
});

test("transport port answers the versioned handshake with cluster identity", async () => {
  const s = await sim({ clusterName: "clusterB" });
  const conn = new PeerConnection([s.transportAddress], () => ({
    clusterName: "probe",
    clusterUuid: "probe",
    nodeName: "probe",
    nodeId: "probe",
    esVersion: "8.19.2",
  }));
  await conn.ensureConnected();
  const info = (await http(s.url, "GET", "/")).body;
  expect(conn.peer).toMatchObject({ clusterName: "clusterB", clusterUuid: info.cluster_uuid, nodeName: info.name });
  await expect(conn.request("no/such/action", {})).rejects.toMatchObject({ type: "action_not_found_transport_exception" });
  conn.close();
});

test("security: missing or wrong credentials are 401 security_exception with WWW-Authenticate", async () => {
  const s = await sim({ settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: "changeme" } });
  const none = await http(s.url, "GET", "/");
  expect(none.status).toBe(401);
  expect(none.body.error.type).toBe("security_exception");
  expect(none.body.error.reason).toBe("missing authentication credentials for REST request [/]");
  expect(none.headers.get("www-authenticate")).toContain('Basic realm="security"');
  const wrong = await http(s.url, "GET", "/", undefined, { authorization: `Basic ${Buffer.from("elastic:nope").toString("base64")}` });
  expect(wrong.status).toBe(401);
  expect(wrong.body.error.reason).toBe("unable to authenticate user [elastic] for REST request [/]");
  const ok = await http(s.url, "GET", "/", undefined, { authorization: `Basic ${Buffer.from("elastic:changeme").toString("base64")}` });
  expect(ok.status).toBe(200);
});
