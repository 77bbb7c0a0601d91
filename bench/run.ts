/**
 * `npm run bench`: the DR and es-sim benchmarks. Prints a table and writes the figures as
 * JSON to bench/results/<timestamp>.json and bench/results/latest.json. Every figure is the median
 * of `--runs` runs, with min and max. Benchmarks are never timed assertions in tests.
 *
 *   npm run bench                                   # everything (long: tens of minutes)
 *   npm run bench -- --only failover --pairs 1,20   # parts: failover, switchover, failback, sim, loop
 *   npm run bench -- --runs 5 --failback-docs 20000
 *
 * The machine is shared: the load average is recorded before and after each part.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_PARALLEL, pulumiBinary, repoRoot } from "../cli/toolchain";
import * as ccrBench from "./ccr";
import * as failback from "./failback";
import * as failover from "./failover";
import * as loopBench from "./loop";
import { startBenchPair } from "./pair";
import * as simBench from "./sim";
import * as stateS3 from "./stateS3";
import { figure, type Figure, num, seconds, show, table } from "./stats";
import * as switchover from "./switchover";

const PARTS = ["failover", "switchover", "failback", "sim", "loop", "state-s3"] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [options]
  --only LIST            parts to run, comma-separated: ${PARTS.join(", ")} (default: all)
  --runs N               runs per figure (default 3)
  --pairs LIST           failover: numbers of index pairs (default 1,20,200)
  --parallel N           failover: PULUMI_PARALLEL of its timed pulumi ups (default: the toolchain's, ${DEFAULT_PARALLEL})
  --no-ccr-dr            failover: skip the \`ccr-dr failover\` figure
  --no-failback-setup    failover: skip the failback set-up figure (dr-a, after each failover)
  --program-ref REF      failover, switchover: run the program as committed at git REF (e.g. an older
                         version, to compare); default: the working tree
  --switchover-rate N    switchover: client writes per second (default 500)
  --failback-pairs LIST  failback: numbers of index pairs (default 1,20)
  --failback-docs N      failback: documents per index (default 100000)
  --loop-rate N          loop: documents per second written during the mixed load (default ${loopBench.WRITE_DOCS_PER_SEC})
  --loop-seconds N       loop: seconds of mixed load per run (default ${loopBench.LOAD_SECONDS})
  --state-pairs LIST     state-s3: numbers of index pairs in the state written (default 200,1000)
  --out DIR              results folder (default bench/results)`;

interface Section {
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
}

function parse() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      runs: { type: "string", default: "3" },
      pairs: { type: "string", default: "1,20,200" },
      parallel: { type: "string" },
      "no-ccr-dr": { type: "boolean", default: false },
      "no-failback-setup": { type: "boolean", default: false },
      "program-ref": { type: "string" },
      "switchover-rate": { type: "string", default: "500" },
      "failback-pairs": { type: "string", default: "1,20" },
      "failback-docs": { type: "string", default: "100000" },
      "loop-rate": { type: "string", default: String(loopBench.WRITE_DOCS_PER_SEC) },
      "loop-seconds": { type: "string", default: String(loopBench.LOAD_SECONDS) },
      "state-pairs": { type: "string", default: "200,1000" },
      out: { type: "string", default: path.join(repoRoot, "bench", "results") },
      help: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const ints = (s: string, what: string) =>
    s.split(",").map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: "${x}" is not a positive integer\n${USAGE}`);
      return n;
    });
  const only = values.only ? values.only.split(",") : [...PARTS];
  for (const p of only) if (!PARTS.includes(p as Part)) throw new Error(`--only: unknown part "${p}"\n${USAGE}`);
  return {
    parts: new Set(only as Part[]),
    runs: ints(values.runs!, "--runs")[0]!,
    pairs: ints(values.pairs!, "--pairs"),
    parallel: values.parallel ? ints(values.parallel, "--parallel")[0] : undefined,
    ccrDr: !values["no-ccr-dr"],
    failbackSetup: !values["no-failback-setup"],
    programRef: values["program-ref"],
    switchoverRate: ints(values["switchover-rate"]!, "--switchover-rate")[0]!,
    failbackPairs: ints(values["failback-pairs"]!, "--failback-pairs"),
    failbackDocs: ints(values["failback-docs"]!, "--failback-docs")[0]!,
    loopRate: ints(values["loop-rate"]!, "--loop-rate")[0]!,
    loopSeconds: ints(values["loop-seconds"]!, "--loop-seconds")[0]!,
    statePairs: ints(values["state-pairs"]!, "--state-pairs"),
    out: values.out!,
  };
}

const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);
const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[${stamp()}] ${line}`);

function machine() {
  const cpus = os.cpus();
  let pulumiVersion = "";
  try {
    pulumiVersion = execFileSync(pulumiBinary(), ["version"], { encoding: "utf8" }).trim();
  } catch {
    // reported as empty
  }
  let commit = "";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: repoRoot, encoding: "utf8" }).trim() !== "";
    if (dirty) commit += " (with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    pulumi: pulumiVersion,
    commit,
  };
}

async function section<T>(name: string, sections: Record<string, Section>, f: () => Promise<T>): Promise<T> {
  const loadBefore = load();
  log(`${name}: starting (load average ${loadBefore.join(" ")})`);
  const t0 = performance.now();
  const result = await f();
  const loadAfter = load();
  sections[name] = { loadBefore, loadAfter, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  log(`${name}: done in ${sections[name]!.seconds} s (load average ${loadAfter.join(" ")})`);
  return result;
}

/** Targets of the failover RTO by number of index pairs. */
const FAILOVER_TARGETS: Record<number, string> = { 1: "≤ 5 s", 200: "≤ 15 s", 1000: "≤ 20 s", 2000: "≤ 45 s" };

/**
 * How the failover's costs grow with the number of pairs, each against the smallest count measured:
 * the ratio of the medians next to the ratio of pairs (linear cost: about the same; quadratic: its
 * square). Target: RTO(1,000) / RTO(250) ≤ 5.
 */
function growthRows(r: failover.FailoverResult[]): string[][] {
  const base = r.reduce<failover.FailoverResult | undefined>((a, m) => (a === undefined || m.pairs < a.pairs ? m : a), undefined);
  if (!base) return [];
  const rows: string[][] = [];
  const x = (v: number) => `${num(Math.round(v * 100) / 100)} ×`;
  for (const m of r) {
    if (m.pairs === base.pairs) continue;
    const k = m.pairs / base.pairs;
    const ratio = (f: (x: failover.FailoverResult) => Figure | undefined) => {
      const [a, b] = [f(m), f(base)];
      return a && b ? x(a.median / b.median) : "n/a";
    };
    rows.push([
      `growth ${num(base.pairs)} → ${num(m.pairs)} pairs (${x(k)}): RTO / deployment / failback set-up`,
      `${ratio((y) => y.rtoMs)} / ${ratio((y) => y.deployMs)} / ${ratio((y) => y.failbackMs)}`,
      base.pairs === 250 && m.pairs === 1000 ? "RTO ≤ 5 ×" : "",
    ]);
  }
  return rows;
}

/** Seconds with min–max, from a figure in ms. */
const s = (f: Figure) => show({ ...f, median: seconds(f.median), min: seconds(f.min), max: seconds(f.max), unit: "s" });

async function main(): Promise<void> {
  const opts = parse();
  const startedAt = new Date();
  const sections: Record<string, Section> = {};
  const results: Record<string, unknown> = {};
  const rows: string[][] = [["figure", `median (min–max) of ${opts.runs} run(s)`, "target"]];
  const failoverEnv: Record<string, string> = opts.parallel ? { PULUMI_PARALLEL: String(opts.parallel) } : {};
  log(
    `ccr-dr benchmarks: ${[...opts.parts].join(", ")}; ${opts.runs} run(s) per figure; ${os.cpus().length} CPUs, load average ${load().join(" ")}`,
  );

  if (opts.parts.has("failover") || opts.parts.has("switchover")) {
    const pair = await startBenchPair(opts.programRef ? { programRef: opts.programRef } : {});
    try {
      if (opts.parts.has("failover")) {
        const r = await section("failover", sections, () =>
          failover.run(
            pair,
            { pairs: opts.pairs, runs: opts.runs, ccrDr: opts.ccrDr, env: failoverEnv, failback: opts.failbackSetup },
            log,
          ),
        );
        results.failover = {
          pulumiParallel: opts.parallel ?? `default (${process.env.PULUMI_PARALLEL ?? DEFAULT_PARALLEL})`,
          measurements: r,
        };
        for (const m of r) {
          rows.push([`failover RTO, ${m.pairs} pair(s): config set + pulumi up`, s(m.rtoMs), FAILOVER_TARGETS[m.pairs] ?? ""]);
          rows.push([`  of which pulumi up`, s(m.upMs), ""]);
          rows.push([`  baseline: plain REST, 4 calls per index, parallel`, s(m.baselineMs), ""]);
          rows.push([`  ratio pulumi / REST`, show(m.ratio), m.pairs === 200 ? "≤ 3" : ""]);
          rows.push([`  state file of dr-b before the failover`, `${num(Math.round(m.stateBytes.median / 1024))} KiB`, ""]);
          rows.push([`  first deployment of the followers: pulumi up on dr-b`, s(m.deployMs), m.pairs === 1000 ? "≤ 60 s" : ""]);
          if (m.failbackMs)
            rows.push([`  failback set-up on dr-a (config set + pulumi up, no copy)`, s(m.failbackMs), m.pairs === 1000 ? "≤ 60 s" : ""]);
          if (m.ccrDrMs) rows.push([`  ccr-dr failover (Automation API)`, s(m.ccrDrMs), ""]);
        }
        rows.push(...growthRows(r));
      }
      if (opts.parts.has("switchover")) {
        const r = await section("switchover", sections, () =>
          switchover.run(pair, { runs: opts.runs, docsPerSec: opts.switchoverRate, warmupMs: 3000 }, log),
        );
        results.switchover = r;
        rows.push([`planned switchover under ${opts.switchoverRate} docs/s: ccr-dr switchover`, s(r.durationMs), ""]);
        rows.push([`  writes unavailable (as reported: fenced → promoted)`, s(r.reportedUnavailableMs), ""]);
        rows.push([`  longest time the client got no acknowledgement`, s(r.clientGapMs), ""]);
        rows.push([`  RPO: acknowledged documents lost`, show(r.rpoDocuments), "0"]);
        rows.push([
          `  client writes acknowledged (offered ${opts.switchoverRate}/s; refused while fenced)`,
          `${show(r.achievedDocsPerSec)}, ${show(r.ackedDocuments)} per run`,
          "",
        ]);
      }
    } finally {
      await pair.cleanup();
    }
  }

  if (opts.parts.has("failback")) {
    const r = await section("failback", sections, () =>
      failback.run({ pairs: opts.failbackPairs, docs: opts.failbackDocs, runs: opts.runs }, log),
    );
    results.failback = r;
    for (const m of r) {
      rows.push([`failback, ${m.pairs} pair(s) × ${num(m.docsPerIndex)} docs: until in sync`, s(m.failbackMs), ""]);
      rows.push([`  of which config set + pulumi up`, s(m.upMs), ""]);
      rows.push([`  re-copy rate`, show(m.docsPerSec), ""]);
    }
  }

  if (opts.parts.has("sim")) {
    const sim = await section("sim", sections, async () => {
      const runs: simBench.SimBenchResult[] = [];
      const ccr: ccrBench.CcrBenchResult[] = [];
      for (let r = 0; r < opts.runs; r++) {
        runs.push(await simBench.run(log));
        ccr.push(await ccrBench.run(log));
      }
      return { runs, ccr };
    });
    const f = <T>(xs: T[], pick: (x: T) => number, unit: string) => figure(xs.map(pick), unit);
    const figures = {
      bulkDocsPerSec: f(sim.runs, (x) => x.bulkDocsPerSec, "docs/s"),
      bulkNoRefreshDocsPerSec: f(sim.runs, (x) => x.bulkNoRefreshDocsPerSec, "docs/s"),
      singleIndexP50Ms: f(sim.runs, (x) => x.singleIndexP50Ms, "ms"),
      singleIndexP99Ms: f(sim.runs, (x) => x.singleIndexP99Ms, "ms"),
      searchP50Ms: f(sim.runs, (x) => x.searchP50Ms, "ms"),
      searchP99Ms: f(sim.runs, (x) => x.searchP99Ms, "ms"),
      newFollowerCatchUpOpsPerSec: f(sim.ccr, (x) => x.newFollowerCatchUpOpsPerSec, "ops/s"),
      replayCatchUpOpsPerSec: f(sim.ccr, (x) => x.replayCatchUpOpsPerSec, "ops/s"),
      steadyDocsPerSec: f(sim.ccr, (x) => x.steadyDocsPerSec, "docs/s"),
      lagP50Ms: f(sim.ccr, (x) => x.lagP50Ms, "ms"),
      lagP99Ms: f(sim.ccr, (x) => x.lagP99Ms, "ms"),
    };
    results.sim = { figures, runs: sim.runs, ccr: sim.ccr, bulkDocs: simBench.BULK_DOCS, leaderDocs: ccrBench.LEADER_DOCS };
    rows.push([`es-sim bulk indexing, ~1 KB docs`, show(figures.bulkDocsPerSec), "≥ 20,000 docs/s"]);
    rows.push([`  same, refresh_interval -1`, show(figures.bulkNoRefreshDocsPerSec), ""]);
    rows.push([`es-sim single-document index p50 / p99`, `${show(figures.singleIndexP50Ms)} / ${show(figures.singleIndexP99Ms)}`, ""]);
    rows.push([`es-sim search p50 (q=, ${num(simBench.BULK_DOCS)} docs)`, show(figures.searchP50Ms), "≤ 10 ms"]);
    rows.push([
      `CCR catch-up, new follower (${num(ccrBench.LEADER_DOCS)} ops)`,
      show(figures.newFollowerCatchUpOpsPerSec),
      "≥ 20,000 ops/s",
    ]);
    rows.push([`CCR catch-up, replay only`, show(figures.replayCatchUpOpsPerSec), ""]);
    rows.push([`CCR lag p50 at ${num(figures.steadyDocsPerSec.median)} docs/s`, show(figures.lagP50Ms), ""]);
    rows.push([`CCR lag p99`, show(figures.lagP99Ms), "≤ 1 s"]);
  }

  if (opts.parts.has("loop")) {
    const runs = await section("loop", sections, async () => {
      const out: loopBench.LoopBenchResult[] = [];
      for (let r = 0; r < opts.runs; r++)
        out.push(await loopBench.run(log, { loadSeconds: opts.loopSeconds, writeDocsPerSec: opts.loopRate }));
      return out;
    });
    const f = (pick: (x: loopBench.LoopBenchResult) => number, unit: string) => figure(runs.map(pick), unit);
    const figures = {
      leaderMaxMs: f((x) => x.leader.maxMs, "ms"),
      leaderMaxCpuMs: f((x) => x.leader.maxCpuMs, "ms"),
      followerMaxCpuMs: f((x) => x.follower.maxCpuMs, "ms"),
      controlMaxCpuMs: f((x) => x.control.maxCpuMs, "ms"),
      leaderP99Ms: f((x) => x.leader.p99Ms, "ms"),
      followerMaxMs: f((x) => x.follower.maxMs, "ms"),
      followerP99Ms: f((x) => x.follower.p99Ms, "ms"),
      controlMaxMs: f((x) => x.control.maxMs, "ms"),
      controlP99Ms: f((x) => x.control.p99Ms, "ms"),
      docsPerSec: f((x) => x.docsIndexed / x.loadSeconds, "docs/s"),
      searchesPerSec: f((x) => x.searches / x.loadSeconds, "searches/s"),
    };
    results.loop = { figures, runs };
    const longest = (x: loopBench.LoopFigures) =>
      x.stalls
        .slice(0, 3)
        .map((st) => `${st.ms} (${st.cpu_ms} CPU)`)
        .join(", ");
    rows.push([`es-sim event-loop delay under mixed load: leader max`, show(figures.leaderMaxMs), "< 100 ms"]);
    rows.push([`  leader p99`, show(figures.leaderP99Ms), ""]);
    rows.push([`  leader longest step in CPU time`, show(figures.leaderMaxCpuMs), "< 100 ms"]);
    rows.push([`  follower (CCR) max`, show(figures.followerMaxMs), "< 100 ms"]);
    rows.push([`  follower p99`, show(figures.followerP99Ms), ""]);
    rows.push([`  follower longest step in CPU time`, show(figures.followerMaxCpuMs), "< 100 ms"]);
    rows.push([
      `  control: an idle es-sim node meanwhile, max / p99 / longest step in CPU time`,
      `${show(figures.controlMaxMs)} / ${show(figures.controlP99Ms)} / ${show(figures.controlMaxCpuMs)}`,
      "",
    ]);
    rows.push([
      `  longest stalls per run, ms (leader | follower)`,
      runs.map((x) => `${longest(x.leader)} | ${longest(x.follower)}`).join("; "),
      "",
    ]);
    rows.push([
      `  load: writes (offered ${num(opts.loopRate)}/s), searches, stats every ${loopBench.STATS_INTERVAL_MS} ms, _flush every ${loopBench.FLUSH_INTERVAL_MS / 1000} s`,
      `${show(figures.docsPerSec)}, ${show(figures.searchesPerSec)}`,
      "",
    ]);
  }

  if (opts.parts.has("state-s3")) {
    const r = await section("state-s3", sections, () => stateS3.run({ pairs: opts.statePairs, runs: opts.runs }, log));
    results.stateS3 = r;
    for (const m of r) {
      const kib = `${num(Math.round(m.stateBytes / 1024))} KiB`;
      rows.push([`state write of dr-b, ${m.pairs} pairs (${kib}), ${m.backend}: pulumi stack import`, s(m.writeMs), ""]);
      rows.push([`  state read: pulumi stack export`, s(m.readMs), ""]);
      if (m.putMs) rows.push([`  bare PUT of the same bytes to the store`, s(m.putMs), ""]);
    }
  }

  const finishedAt = new Date();
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: machine(),
    options: { ...opts, parts: [...opts.parts] },
    loadAverage: { start: sections[Object.keys(sections)[0]!]?.loadBefore, end: load() },
    sections,
    results,
  };
  fs.mkdirSync(opts.out, { recursive: true });
  const file = path.join(opts.out, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const text = JSON.stringify(report, null, 2) + "\n";
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(opts.out, "latest.json"), text);

  const m = report.machine;
  console.log("");
  console.log(
    `ccr-dr benchmarks — ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.pulumi ? `Pulumi ${m.pulumi}` : "no Pulumi"}, commit ${m.commit}`,
  );
  if (opts.programRef)
    console.log(
      `program: as committed at ${opts.programRef}, run with @pulumi/pulumi's own provider shim and PULUMI_NODEJS_TRANSPILE_ONLY=true`,
    );
  console.log(
    `started ${report.startedAt}, ${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)} s; load average (1, 5, 15 min) per part:`,
  );
  for (const [name, sec] of Object.entries(sections))
    console.log(`  ${name}: ${sec.loadBefore.join(" ")} before, ${sec.loadAfter.join(" ")} after (${sec.seconds} s)`);
  console.log("");
  console.log(table(rows));
  console.log("");
  console.log(`results: ${path.relative(process.cwd(), file)} (and latest.json)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
