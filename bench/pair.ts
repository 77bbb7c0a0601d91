/**
 * The benchmarks' DR pair: two `bin/es-sim` processes and a copy of the program with its two site
 * stacks (dr-a, dr-b) on a temp file:// backend — the set-up of the end-to-end tests
 * (test/helpers/drPair.ts), with any number of index pairs. Also the plain-REST helpers the
 * benchmarks use to load, check and reset the clusters.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "../cli/toolchain";
import { openSites, stageProgram, type Sites } from "../cli/workspace";
import { spawnSim, type SpawnedSim } from "../sim/spawn";
import { pooled } from "../es/pooled";

/** Which site: the stacks are dr-a (clusterA) and dr-b (clusterB). */
export type Site = "clusterA" | "clusterB";

export interface BenchPair {
  dir: string;
  a: SpawnedSim;
  b: SpawnedSim;
  workDir: string;
  env: Record<string, string>;
  /** The index pairs, `{ clusterA: name, clusterB: name }`. */
  indices: Array<Record<Site, string>>;
  /** Rewrites both stack files with `indices` and `primary` (fresh stacks read them on open). */
  configure(indices: Array<Record<Site, string>>, primary: Site): void;
  sites(): Promise<Sites>;
  cleanup(): Promise<void>;
}

/** Names of `n` index pairs with a prefix unique to one measurement. */
/** Above this many pairs the bench's stacks list them in {@link INDICES_FILE} instead of `ccr-dr:indices`. */
export const INDICES_FILE_ABOVE = 100;
/** The indices file of the staged program (relative to it, as `ccr-dr:indicesFile` names it). */
export const INDICES_FILE = "bench-indices.pairs";

export function indexPairs(prefix: string, n: number): Array<Record<Site, string>> {
  return Array.from({ length: n }, (_, i) => ({ clusterA: `${prefix}-${i}-a`, clusterB: `${prefix}-${i}-b` }));
}

function cluster(s: SpawnedSim, requestTimeoutMs: number | undefined): Record<string, unknown> {
  return {
    endpoint: s.url,
    mode: "proxy",
    proxyAddress: s.transportAddress,
    proxySocketConnections: 18,
    skipUnavailable: true,
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
  };
}

/** Options of {@link startBenchPair}. */
export interface BenchPairOptions {
  /**
   * Run the program as committed at this git ref instead of the working tree (with that ref's
   * Pulumi.yaml), e.g. to measure an older version against the current one.
   */
  programRef?: string;
  /** `requestTimeoutMs` of both clusters in the stack configuration (default: the providers' 30 s). */
  requestTimeoutMs?: number;
}

/** Starts two es-sims, stages the program and creates its two stacks on a temp backend; nothing is deployed yet. */
export async function startBenchPair(opts: BenchPairOptions = {}): Promise<BenchPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-bench-"));
  const [a, b] = await Promise.all([
    spawnSim({ clusterName: "clusterA", dataDir: fs.mkdtempSync(path.join(dir, "a-")) }),
    spawnSim({ clusterName: "clusterB", dataDir: fs.mkdtempSync(path.join(dir, "b-")) }),
  ]);
  const env: Record<string, string> = {
    ...pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(dir, "home") }),
    PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
  };
  if (opts.programRef) {
    // As older versions ran: cli/workspace.ts set this for ts-node, and bootstrap installed
    // @pulumi/pulumi's dynamic-provider shim unchanged (a plugin found on PATH comes first).
    env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.symlinkSync(
      path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
      path.join(bin, "pulumi-resource-pulumi-nodejs"),
    );
    env.PATH = `${bin}${path.delimiter}${env.PATH}`;
  }
  const stacks = (indices: Array<Record<Site, string>>, primary: Site) => {
    // Many pairs go into an indices file (docs/configuration.md, `ccr-dr:indicesFile`): the stack
    // configuration reaches the program in one environment variable capped at 128 KiB.
    const inFile = indices.length > INDICES_FILE_ABOVE;
    if (inFile) {
      fs.mkdirSync(programDir, { recursive: true });
      fs.writeFileSync(path.join(programDir, INDICES_FILE), indices.map((p) => `${p.clusterA} ${p.clusterB}`).join("\n") + "\n");
    }
    const common = {
      primary,
      clusters: { clusterA: cluster(a, opts.requestTimeoutMs), clusterB: cluster(b, opts.requestTimeoutMs) },
      ...(inFile ? { indicesFile: INDICES_FILE } : { indices }),
    };
    return { "dr-a": { site: "clusterA", ...common }, "dr-b": { site: "clusterB", ...common } };
  };
  // A copy of the program as it is now, so that edits in the checkout during a long run cannot
  // change what is measured (nor invalidate its compile and provider caches halfway).
  const programDir = path.join(dir, "program");
  const files = ["program.js", "loader.js", "index.ts", "stack", "es", "providers", "package.json", "tsconfig.json"];
  let pulumiYaml: string | undefined;
  if (opts.programRef) {
    fs.mkdirSync(programDir, { recursive: true });
    const listed = execFileSync("git", ["ls-tree", "--name-only", opts.programRef], { cwd: repoRoot, encoding: "utf8" }).split("\n");
    const archive = execFileSync("git", ["archive", "--format=tar", opts.programRef, ...files.filter((f) => listed.includes(f))], {
      cwd: repoRoot,
      maxBuffer: 1 << 28,
    });
    execFileSync("tar", ["-x", "-C", programDir], { input: archive });
    pulumiYaml = execFileSync("git", ["show", `${opts.programRef}:Pulumi.yaml`], { cwd: repoRoot, encoding: "utf8" });
  } else {
    for (const f of files) fs.cpSync(path.join(repoRoot, f), path.join(programDir, f), { recursive: true });
  }
  const stage = (config: Record<string, Record<string, unknown>>) => {
    stageProgram(programDir, config);
    if (pulumiYaml !== undefined) fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), pulumiYaml);
    return programDir;
  };
  // The configuration needs at least one pair; every measurement configures its own before deploying.
  const workDir = stage(stacks(indexPairs("unused", 1), "clusterA"));
  if (fs.existsSync(path.join(programDir, "loader.js"))) {
    execFileSync(process.execPath, [path.join(programDir, "loader.js"), "--warm"], {
      cwd: programDir,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const pair: BenchPair = {
    dir,
    a,
    b,
    workDir,
    env,
    indices: [],
    configure(indices, primary) {
      pair.indices = indices;
      stage(stacks(indices, primary));
    },
    sites: () => openSites({ workDir, env }),
    cleanup: async () => {
      await Promise.all([a.cleanup(), b.cleanup()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await pair.sites(); // creates both stacks on the backend
  return pair;
}

// ---------------------------------------------------------------------------------------------
// Plain REST (fetch): what the benchmarks do to the clusters outside Pulumi.

/** One JSON request; throws on a status ≥ 300 unless `ok` accepts it. */
export async function rest(
  base: string,
  method: string,
  p: string,
  body?: unknown,
  ok: (status: number) => boolean = (s) => s < 300,
): Promise<any> {
  const bulk = typeof body === "string";
  const res = await fetch(base + p, {
    method,
    headers: body === undefined ? {} : { "content-type": bulk ? "application/x-ndjson" : "application/json" },
    body: body === undefined ? undefined : bulk ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!ok(res.status)) throw new Error(`${method} ${p} → ${res.status} ${text.slice(0, 300)}`);
  return json;
}

/** Runs `f` over `items` with at most `limit` in flight (es/pooled.ts, the reads' pool). */
export async function pool<T>(items: T[], limit: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  await pooled(items, f, limit);
}

/** Indexes `docs` small documents into each of `indices` (bulks of 1,000, refreshed at the end). */
export async function loadDocs(base: string, indices: string[], docs: number, prefix = "doc"): Promise<void> {
  const BULK = 1_000;
  for (const index of indices) {
    const starts = Array.from({ length: Math.ceil(docs / BULK) }, (_, i) => i * BULK);
    await pool(starts, 4, async (start) => {
      const lines: string[] = [];
      for (let n = start; n < Math.min(start + BULK, docs); n++) {
        lines.push(
          JSON.stringify({ index: { _index: index, _id: `${prefix}-${n}` } }),
          JSON.stringify({ n, customer: `customer ${n % 997}`, total: n * 1.5 }),
        );
      }
      const r = await rest(base, "POST", "/_bulk", lines.join("\n") + "\n");
      if (r.errors) throw new Error(`bulk into ${index} reported errors`);
    });
  }
  await pool(indices, 8, async (index) => void (await rest(base, "POST", `/${index}/_refresh`)));
}

/** Document count of `index` (after a refresh). */
export async function docCount(base: string, index: string): Promise<number> {
  await rest(base, "POST", `/${index}/_refresh`);
  return (await rest(base, "GET", `/${index}/_count`)).count as number;
}

/** Follow status of `index`: "active" | "paused" | "none". */
export async function followStatus(base: string, index: string): Promise<string> {
  const r = await rest(base, "GET", `/${index}/_ccr/info`, undefined, () => true);
  return (r?.follower_indices?.[0]?.status as string | undefined) ?? "none";
}

/** Max seq_no of `index` (−1 when empty). */
export async function maxSeqNo(base: string, index: string): Promise<number> {
  const r = await rest(base, "GET", `/${index}/_stats`);
  const shards = (r.indices?.[index]?.shards ?? {}) as Record<string, Array<{ seq_no?: { max_seq_no?: number } }>>;
  let max = -1;
  for (const copies of Object.values(shards)) for (const s of copies) max = Math.max(max, s.seq_no?.max_seq_no ?? -1);
  return max;
}

/** Polls `f` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function until(what: string, f: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
