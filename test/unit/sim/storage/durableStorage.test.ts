/**
 * The durable storage on a real temp dir: round trip through the engine, compaction (flush) and
 * log rotation, torn-tail truncation, corrupt and foreign data dirs, the node lock, and group commit.
 */
import { createIndex, flush } from "../../../../sim/engine/actions/indexAdmin";
import { deleteDoc, getDoc, indexDoc } from "../../../../sim/engine/actions/documents";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../../../../sim/engine/cluster";
import { DataFormatError } from "../../../../sim/storage/frame";
import { DurableStorage } from "../../../../sim/storage/durableStorage";
import { lockAddress, LockError } from "../../../../sim/storage/lock";
import { stubSearchLibrary } from "../../../helpers/sim";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "es-sim-storage-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openCluster(dir: string) {
  const storage = await DurableStorage.open(dir);
  const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, startTimers: false });
  return {
    storage,
    cluster,
    close: async () => {
      await cluster.close();
      await storage.close();
    },
  };
}

function logFiles(dir: string, uuid: string): string[] {
  return readdirSync(join(dir, "indices", uuid))
    .filter((f) => f.startsWith("log-"))
    .sort();
}

test("round trip, flush compaction and rotation", async () => {
  const dir = tempDir();
  const a = await openCluster(dir);
  await createIndex(a.cluster, "i", {});
  const uuid = a.cluster.requireShard("i").uuid;
  for (let n = 0; n < 50; n++) await indexDoc(a.cluster, "i", String(n % 10), { n }, {});
  await flush(a.cluster, "i", {});
  expect(logFiles(dir, uuid)).toEqual(["log-2.bin", "log-2.ckp"]);
  await deleteDoc(a.cluster, "i", "3", {});
  await a.close();

  const b = await openCluster(dir);
  const s = b.cluster.requireShard("i");
  expect([s.maxSeqNo, s.liveCount, s.meta.primaryTerm]).toEqual([50, 9, 2]);
  expect(getDoc(b.cluster, "i", "9", {}).body).toMatchObject({ _version: 5, _seq_no: 49, _source: { n: 49 } });
  await b.close();
});

test("a flush encodes in slices: writes made meanwhile are in the next log and survive a restart", async () => {
  const dir = tempDir();
  const a = await openCluster(dir);
  await createIndex(a.cluster, "i", {});
  const uuid = a.cluster.requireShard("i").uuid;
  const body = "x".repeat(2000);
  for (let n = 0; n < 4000; n += 500) {
    await Promise.all(Array.from({ length: 500 }, (_, k) => indexDoc(a.cluster, "i", String(n + k), { n: n + k, body }, {})));
  }
  // ~8 MB of documents and as much history: several frames, so the encoding pauses in between
  let flushed = false;
  const f = flush(a.cluster, "i", {}).then(() => (flushed = true));
  let during = 0;
  while (!flushed) {
    await indexDoc(a.cluster, "i", `late-${during}`, { late: during }, {});
    await deleteDoc(a.cluster, "i", String(during), {});
    during++;
  }
  await f;
  expect(during).toBeGreaterThan(1);
  expect(logFiles(dir, uuid)).toEqual(["log-2.bin", "log-2.ckp"]);
  const maxSeqNo = a.cluster.requireShard("i").maxSeqNo;
  await a.close();

  const b = await openCluster(dir);
  const s = b.cluster.requireShard("i");
  expect([s.maxSeqNo, s.liveCount]).toEqual([maxSeqNo, 4000]);
  expect(getDoc(b.cluster, "i", `late-${during - 1}`, {}).body._source).toEqual({ late: during - 1 });
  expect(getDoc(b.cluster, "i", String(during - 1), {}).status).toBe(404);
  expect(getDoc(b.cluster, "i", "3999", {}).body._source).toEqual({ n: 3999, body });
  await b.close();
});

test("a torn tail of the newest log is truncated to the last good record", async () => {
  const dir = tempDir();
  const a = await openCluster(dir);
  await createIndex(a.cluster, "i", {});
  const uuid = a.cluster.requireShard("i").uuid;
  await indexDoc(a.cluster, "i", "1", { a: 1 }, {});
  await indexDoc(a.cluster, "i", "2", { a: 2 }, {});
  await a.close();
  const log = join(dir, "indices", uuid, logFiles(dir, uuid).pop()!);
  const good = statSync(log).size;
  appendFileSync(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 123, 34])); // half a frame
  const b = await openCluster(dir);
  expect(b.cluster.requireShard("i").maxSeqNo).toBe(1);
  // the restart itself appended (primary term bump), after truncating the garbage
  expect(statSync(log).size).toBeGreaterThan(good);
  await indexDoc(b.cluster, "i", "3", {}, {});
  await b.close();
  const c = await openCluster(dir);
  expect(c.cluster.requireShard("i").maxSeqNo).toBe(2);
  await c.close();
});

test("corrupt snapshot, foreign dir and unknown format fail with clear errors", async () => {
  const dir = tempDir();
  const a = await openCluster(dir);
  await createIndex(a.cluster, "i", {});
  const uuid = a.cluster.requireShard("i").uuid;
  await a.close();
  writeFileSync(join(dir, "indices", uuid, "snapshot.bin"), "garbage");
  await expect(openCluster(dir)).rejects.toThrow(/is not an es-sim snapshot file/);

  const foreign = tempDir();
  mkdirSync(join(foreign, "nodes"));
  await expect(DurableStorage.open(foreign)).rejects.toBeInstanceOf(DataFormatError);

  const wrongVersion = tempDir();
  mkdirSync(join(wrongVersion, "_state"));
  writeFileSync(join(wrongVersion, "_state", "cluster.json"), JSON.stringify({ format: "es-sim-cluster-state", version: 99 }));
  const s = await DurableStorage.open(wrongVersion);
  await expect(s.load()).rejects.toThrow(/format version \[99\]/);
  await s.close();
});

test("node lock: a holder in this process is refused, also through a symlink; released on close", async () => {
  const dir = tempDir();
  const link = join(tempDir(), "link");
  symlinkSync(dir, link);
  const s = await DurableStorage.open(dir);
  expect(readFileSync(join(dir, "node.lock"), "utf8")).toBe(`${process.pid}\n`);
  const same = DurableStorage.open(dir);
  await expect(same).rejects.toBeInstanceOf(LockError);
  await expect(same).rejects.toThrow(`failed to obtain node locks, tried [${dir}]; maybe these locations are not writable`);
  await expect(DurableStorage.open(link)).rejects.toBeInstanceOf(LockError);
  await s.close();
  expect(readdirSync(dir)).not.toContain("node.lock");
  const t = await DurableStorage.open(link);
  await t.close();
});

test("node lock: the kernel-released lock decides, not the pid in node.lock", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "node.lock"), "1\n"); // a live pid left behind: not a holder
  const s = await DurableStorage.open(dir);
  await s.close();

  // Another process holding the lock is refused, with the pid it wrote; once it exits, the lock is free.
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `require("net").createServer().listen({ path: "\\0" + process.argv[1] }, () => {
        require("fs").writeFileSync(process.argv[2], process.pid + "\\n");
        console.log("held");
      })`,
      lockAddress(realpathSync(dir)).slice(1),
      join(dir, "node.lock"),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise((r) => holder.once("exit", r));
  try {
    let timer: NodeJS.Timeout | undefined;
    await new Promise((resolve, reject) => {
      holder.stdout!.once("data", resolve);
      holder.once("exit", () => reject(new Error("lock holder exited early")));
      timer = setTimeout(() => reject(new Error("lock holder did not start")), 20_000);
    }).finally(() => clearTimeout(timer));
    await expect(DurableStorage.open(dir)).rejects.toThrow(`(held by pid ${holder.pid})`);
  } finally {
    holder.kill("SIGKILL");
    await exited;
  }
  const t = await DurableStorage.open(dir);
  expect(readFileSync(join(dir, "node.lock"), "utf8")).toBe(`${process.pid}\n`);
  await t.close();
});

test("group commit: concurrent writers share fsyncs and all land", async () => {
  const dir = tempDir();
  const a = await openCluster(dir);
  await createIndex(a.cluster, "g", {});
  await Promise.all(Array.from({ length: 200 }, (_, n) => indexDoc(a.cluster, "g", String(n), { n }, {})));
  await a.close();
  const b = await openCluster(dir);
  expect(b.cluster.requireShard("g").liveCount).toBe(200);
  await b.close();
});
