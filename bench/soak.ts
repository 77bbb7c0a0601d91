/**
 * `npm run soak`: es-sim's durability under abuse, bounded. Each round runs concurrent writers
 * (single index, `_bulk` with index and delete items, single delete) into one long-lived index
 * (small flush threshold, so log rotation and compaction happen) and into indices that do not exist
 * yet (several writers race to auto-create each), while the round brings at random:
 *
 *   - kill -9 of es-sim mid-write, then a restart on the same data dir;
 *   - a flood-stage episode: an absolute flood-stage watermark above the free space (the block,
 *     429s), then the watermarks reset (auto-release);
 *   - a real full disk (when path.data is a tmpfs, i.e. when run as root): a filler file takes the
 *     free space (ENOSPC, the block), then is removed and the block lifted.
 *
 * Each round ends with kill -9, restart, and the acknowledged-set check: every document whose last
 * acknowledged operation was an index is there with that operation's value, every acknowledged
 * delete is honoured. An id with a later unacknowledged attempt (5xx, connection cut by the kill) may
 * hold either outcome and is counted as uncertain, never as a loss. Prints per round and in total:
 * rounds, acknowledged operations, uncertain ids and losses; exits 1 on any loss.
 *
 *   npm run soak -- --rounds 5 --seconds 20 [--writers 4] [--no-tmpfs]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnSim, type SpawnedSim } from "../sim/spawn";

const USAGE = `usage: npm run soak -- [--rounds N] [--seconds S] [--writers W] [--no-tmpfs] [--seed N]
  --rounds N    rounds (default 5)
  --seconds S   seconds of writing per round (default 20)
  --writers W   concurrent writers (default 4)
  --no-tmpfs    do not mount a tmpfs for path.data (no real disk-full episodes)
  --seed N      random seed (default: time)`;

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "20" },
    writers: { type: "string", default: "4" },
    "no-tmpfs": { type: "boolean", default: false },
    seed: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WRITERS = Number(args.writers);
if (![ROUNDS, SECONDS, WRITERS].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
let seed = Number(args.seed ?? Date.now() % 2 ** 31);
const SEED = seed;
/** Deterministic PRNG (mulberry32), so a failing run can be repeated with --seed. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the acknowledged history says about one document. */
interface Expected {
  /** Value of the last acknowledged index, or null after an acknowledged delete. */
  value: number | null;
  /** An attempt after the last acknowledgement whose outcome is unknown. */
  uncertain: boolean;
}
const model = new Map<string, Map<string, Expected>>(); // index → id → expected
let acknowledgedOps = 0;
/** Losses seen while writing: a delete answered 404 for a document acknowledged as present. */
const liveLosses: string[] = [];
/** Indices whose deletion was acknowledged: they must stay gone. */
const deletedIndices: string[] = [];

/** A delete found nothing: a loss when the model is certain the document is there. */
function deleteFoundNothing(index: string, id: string): void {
  const e = model.get(index)?.get(id);
  if (e && !e.uncertain && e.value !== null) liveLosses.push(`${index}/${id}: acknowledged value ${e.value}, a delete found nothing`);
}

function record(index: string, id: string, outcome: "ack" | "unknown" | "refused", value: number | null): void {
  let docs = model.get(index);
  if (!docs) model.set(index, (docs = new Map()));
  const e = docs.get(id);
  if (outcome === "ack") {
    docs.set(id, { value, uncertain: false });
    acknowledgedOps++;
  } else if (outcome === "unknown") docs.set(id, { value: e?.value ?? null, uncertain: true });
  // refused (4xx, 429 block): not applied, nothing changes
}

/** One HTTP call; network failure (the node killed) → status 0. */
async function call(
  base: () => string,
  method: string,
  path: string,
  body?: string,
  ndjson = false,
): Promise<{ status: number; body: any }> {
  try {
    const res = await fetch(base() + path, {
      method,
      body,
      headers: body ? { "content-type": ndjson ? "application/x-ndjson" : "application/json" } : {},
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: 0, body: undefined };
  }
}

const outcomeOf = (status: number): "ack" | "unknown" | "refused" =>
  status >= 200 && status < 300 ? "ack" : status === 0 || status >= 500 ? "unknown" : "refused";

let valueCounter = 0;

/** A writer: owns the ids `<prefix>-*`, so per-id operations are ordered by its own sequence. */
async function writer(
  prefix: string,
  base: () => string,
  indices: () => string[],
  stop: () => boolean,
  stats: Map<string, number>,
): Promise<void> {
  const mine: Array<{ index: string; id: string }> = [];
  let n = 0;
  let lastStatus = -1;
  const count = (what: string) => {
    lastStatus = Number(what.split(" ")[1]);
    stats.set(what, (stats.get(what) ?? 0) + 1);
  };
  while (!stop()) {
    const index = pick(indices());
    const roll = random();
    if (roll < 0.45) {
      const id = `${prefix}-${n++}`;
      const value = ++valueCounter;
      const r = await call(base, "PUT", `/${index}/_doc/${id}`, JSON.stringify({ value, pad: "p".repeat(200) }));
      record(index, id, outcomeOf(r.status), value);
      if (outcomeOf(r.status) === "ack") mine.push({ index, id });
      count(`index ${r.status}`);
    } else if (roll < 0.85) {
      const lines: string[] = [];
      const items: Array<{ index: string; id: string; value: number | null }> = [];
      for (let j = 0; j < 10; j++) {
        if (mine.length > 0 && random() < 0.2) {
          const victim = pick(mine);
          lines.push(JSON.stringify({ delete: { _index: victim.index, _id: victim.id } }));
          items.push({ ...victim, value: null });
        } else {
          const id = `${prefix}-${n++}`;
          const value = ++valueCounter;
          lines.push(JSON.stringify({ index: { _index: index, _id: id } }), JSON.stringify({ value }));
          items.push({ index, id, value });
        }
      }
      const r = await call(base, "POST", "/_bulk", `${lines.join("\n")}\n`, true);
      if (r.status === 200) {
        r.body.items.forEach((item: Record<string, { status: number }>, j: number) => {
          const it = items[j]!;
          const status = Object.values(item)[0]!.status;
          // a delete of a missing doc answers 404 and is acknowledged (it consumed a seq_no)
          if (it.value === null && status === 404) deleteFoundNothing(it.index, it.id);
          const o = it.value === null && status === 404 ? "ack" : outcomeOf(status);
          record(it.index, it.id, o, it.value);
          if (o === "ack" && it.value !== null) mine.push({ index: it.index, id: it.id });
        });
      } else for (const it of items) record(it.index, it.id, outcomeOf(r.status), it.value);
      count(`bulk ${r.status}`);
    } else if (mine.length > 0) {
      const victim = mine.splice(Math.floor(random() * mine.length), 1)[0]!;
      const r = await call(base, "DELETE", `/${victim.index}/_doc/${victim.id}`);
      if (r.status === 404) deleteFoundNothing(victim.index, victim.id);
      record(victim.index, victim.id, r.status === 404 ? "ack" : outcomeOf(r.status), null);
      count(`delete ${r.status}`);
    }
    // the node is down (killed, restarting): back off instead of spinning new ids into uncertainty
    if (lastStatus === 0) await sleep(100);
    else if (random() < 0.02) await sleep(5);
  }
}

/** The acknowledged-set check against a freshly restarted node. */
async function check(base: () => string): Promise<{ checked: number; uncertain: number; losses: string[] }> {
  let checked = 0;
  let uncertain = 0;
  const losses: string[] = [];
  for (const [index, docs] of model) {
    const ids = [...docs.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const r = await call(base, "POST", `/${index}/_mget`, JSON.stringify({ ids: batch }));
      if (r.status !== 200) {
        const certain = batch.filter((id) => !docs.get(id)!.uncertain && docs.get(id)!.value !== null);
        if (certain.length > 0) losses.push(`${index}: _mget answered ${r.status} (${certain.length} acknowledged documents unreadable)`);
        continue;
      }
      for (const d of r.body.docs as Array<{ _id: string; found?: boolean; _source?: { value: number } }>) {
        const e = docs.get(d._id)!;
        if (e.uncertain) {
          uncertain++;
          continue;
        }
        checked++;
        const got = d.found ? (d._source?.value ?? -1) : null;
        if (got !== e.value)
          losses.push(
            `${index}/${d._id}: acknowledged ${e.value === null ? "deleted" : `value ${e.value}`}, found ${got === null ? "nothing" : `value ${got}`}`,
          );
      }
    }
  }
  for (const index of deletedIndices) {
    const r = await call(base, "HEAD", `/${index}`);
    if (r.status !== 404) losses.push(`${index}: deletion acknowledged, but HEAD answers ${r.status}`);
  }
  return { checked, uncertain, losses };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "es-sim-soak-"));
  let mnt: string | undefined;
  if (!args["no-tmpfs"]) {
    const dir = join(root, "mnt");
    mkdirSync(dir);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=96m", "tmpfs", dir], { encoding: "utf8" });
    if (m.status === 0) mnt = dir;
    else
      process.stdout.write(
        `soak: no tmpfs (${(m.stderr || m.error?.message || "").trim()}): real disk-full episodes skipped, flood-stage episodes only\n`,
      );
  }
  const dataDir = join(mnt ?? root, "data");
  const sim: SpawnedSim = await spawnSim({ dataDir, clusterName: "soak" });
  const base = () => sim.url;
  const stderrTail = () => sim.stderr().split("\n").slice(-20).join("\n");
  let totalLosses = 0;
  const started = Date.now();
  process.stdout.write(
    `soak: ${ROUNDS} rounds × ${SECONDS}s, ${WRITERS} writers, seed ${SEED}, path.data ${dataDir}${mnt ? " (96 MB tmpfs)" : ""}\n`,
  );
  try {
    const fixed = "soak-main";
    await call(base, "PUT", `/${fixed}`, JSON.stringify({ settings: { "index.translog.flush_threshold_size": "256kb" } }));
    for (let round = 1; round <= ROUNDS; round++) {
      const stats = new Map<string, number>();
      const events: string[] = [];
      const ackBefore = acknowledgedOps;
      // indices that do not exist yet: every writer races to auto-create them
      const fresh = Array.from({ length: 3 }, (_, j) => `soak-r${round}-${j}`);
      const targets = [...fresh, fixed];
      let stop = false;
      const writers = Array.from({ length: WRITERS }, (_, k) =>
        writer(
          `r${round}w${k}`,
          base,
          () => targets,
          () => stop,
          stats,
        ),
      );
      const end = Date.now() + SECONDS * 1000;
      const killAt = Date.now() + SECONDS * 1000 * (0.3 + random() * 0.5);
      const episodeAt = Date.now() + SECONDS * 1000 * (0.1 + random() * 0.3);
      const episode = mnt && random() < 0.5 ? "tmpfs" : "watermark";
      let killed = false;
      let episodeDone = false;
      while (Date.now() < end) {
        await sleep(100);
        if (!episodeDone && Date.now() >= episodeAt) {
          episodeDone = true;
          if (episode === "watermark") {
            const wm = "cluster.routing.allocation.disk.watermark";
            const set = (low: string | null, high: string | null, flood: string | null) =>
              call(
                base,
                "PUT",
                "/_cluster/settings",
                JSON.stringify({ transient: { [`${wm}.low`]: low, [`${wm}.high`]: high, [`${wm}.flood_stage`]: flood } }),
              );
            const r = await set("1000pb", "999pb", "998pb");
            events.push(`flood-stage watermark ${r.status}`);
            await sleep(1500);
            const reset = await set(null, null, null);
            events.push(`watermark reset ${reset.status}`);
          } else {
            const filler = join(mnt!, "filler");
            const free = statfsSync(mnt!).bavail * statfsSync(mnt!).bsize;
            try {
              writeFileSync(filler, Buffer.alloc(Math.max(0, free - 64 * 1024)));
            } catch {
              // the tmpfs filled before the filler did: as good
            }
            events.push(`tmpfs filled (${Math.round(free / 1024)} KB)`);
            await sleep(1500);
            rmSync(filler, { force: true });
            const lift = await call(base, "PUT", "/_all/_settings", JSON.stringify({ "index.blocks.read_only_allow_delete": null }));
            events.push(`space freed, block lifted ${lift.status}`);
          }
        }
        if (!killed && Date.now() >= killAt) {
          killed = true;
          await sim.restart(); // kill -9, then start on the same data dir
          events.push("kill -9 + restart");
        }
      }
      stop = true;
      await Promise.all(writers);
      await sim.restart();
      const result = await check(base);
      result.losses.push(...liveLosses.splice(0));
      totalLosses += result.losses.length;
      const answers = [...stats.entries()]
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ");
      process.stdout.write(
        `round ${round}: acknowledged ops ${acknowledgedOps - ackBefore}, ids checked ${result.checked}, uncertain ${result.uncertain}, losses ${result.losses.length}; events: ${events.join("; ")}\n  answers: ${answers}\n`,
      );
      for (const l of result.losses.slice(0, 20)) process.stdout.write(`  LOSS ${l}\n`);
      // keep the data bounded: the round's auto-created indices are deleted; a later round checks they stay gone
      for (const index of fresh) {
        const r = await call(base, "DELETE", `/${index}`);
        if (r.status === 200) {
          model.delete(index);
          deletedIndices.push(index);
        }
      }
    }
  } catch (e) {
    process.stdout.write(`soak: aborted: ${(e as Error)?.message ?? String(e)}\n--- es-sim stderr (tail) ---\n${stderrTail()}\n`);
    totalLosses = totalLosses || -1;
  } finally {
    await sim.cleanup();
    if (mnt) spawnSync("umount", [mnt]);
    rmSync(root, { recursive: true, force: true });
  }
  const docs = [...model.values()].reduce((a, m) => a + m.size, 0);
  process.stdout.write(
    `soak: rounds ${ROUNDS}, acknowledged operations ${acknowledgedOps}, documents tracked ${docs}, losses ${Math.max(0, totalLosses)}${totalLosses < 0 ? " (aborted)" : ""}, ${Math.round((Date.now() - started) / 1000)}s\n`,
  );
  process.exit(totalLosses === 0 ? 0 : 1);
}

void main();
