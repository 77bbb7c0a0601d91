/**
 * What the fault-injection suites share besides the proxies (faultProxy.ts): reading what a
 * crash left in the clusters and in the Pulumi state, running `bin/ccr-dr` as its own process
 * group (as a terminal or a CI runner does, so a group signal reaches its `pulumi` child too),
 * and the document accounting every fault case ends with.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { repoRoot } from "../../cli/toolchain";
import type { DrPair } from "./drPair";
import { http } from "./sim";

/** The `_meta.ccr_dr` of an index (promotion or quarantine record), or undefined. */
export async function ccrDrMeta(base: string, index: string): Promise<Record<string, any> | undefined> {
  const r = await http(base, "GET", `/${index}/_mapping`);
  if (r.status !== 200) return undefined;
  return r.body[index]?.mappings?._meta?.ccr_dr;
}

/** What a crash left of one index: open or closed, follower or not, write block, record. */
export interface IndexState {
  exists: boolean;
  open?: boolean;
  follower?: "active" | "paused" | "none";
  writeBlocked?: boolean;
  promotion?: boolean;
}

export async function indexState(base: string, index: string): Promise<IndexState> {
  const cat = await http(base, "GET", `/_cat/indices/${index}?format=json&h=index,status&expand_wildcards=all`);
  if (cat.status === 404) return { exists: false };
  const settings = await http(base, "GET", `/${index}/_settings?flat_settings=true&expand_wildcards=all`);
  const info = await http(base, "GET", `/${index}/_ccr/info`);
  const meta = await ccrDrMeta(base, index);
  return {
    exists: true,
    open: cat.body[0].status === "open",
    follower: (info.body.follower_indices?.[0]?.status as "active" | "paused" | undefined) ?? "none",
    writeBlocked: String(settings.body[index]?.settings?.["index.blocks.write"]) === "true",
    promotion: meta?.promotion !== undefined,
  };
}

/** Pending operations Pulumi recorded for resources it was changing when it was stopped. */
export async function pendingOperations(stack: Stack): Promise<Array<{ type: string; urn: string }>> {
  const d = (await stack.exportStack()).deployment as { pending_operations?: Array<{ type: string; resource: { urn: string } }> };
  return (d.pending_operations ?? []).map((p) => ({ type: p.type, urn: p.resource.urn }));
}

/** Lock files of `stackName` on the pair's file backend (a live `pulumi up` holds one). */
export function lockFiles(pair: DrPair, stackName: string): string[] {
  const dir = path.join(pair.dir, "state", ".pulumi", "locks", "organization", "ccr-dr", stackName);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

/** A finished `bin/ccr-dr` run. */
export interface CcrDrRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: any;
}

/** A running `bin/ccr-dr`, leader of its own process group. */
export interface CcrDrProcess {
  pid: number;
  /** Signals the whole group (ccr-dr and the `pulumi` it runs), as Ctrl-C in a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** What it wrote to stderr so far (progress lines). */
  stderrSoFar(): string;
  done: Promise<CcrDrRun>;
}

/** Starts `bin/ccr-dr <args> --work-dir <pair>` with stdin not a TTY, in its own process group. */
export function startCcrDr(pair: DrPair, args: string[]): CcrDrProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin/ccr-dr"), ...args, "--work-dir", pair.workDir], {
    cwd: repoRoot,
    env: { ...process.env, ...pair.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const done = new Promise<CcrDrRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
  return { pid: child.pid!, signalGroup: (s) => process.kill(-child.pid!, s), stderrSoFar: () => stderr, done };
}

/** Runs `bin/ccr-dr` to the end. */
export function ccrDr(pair: DrPair, args: string[]): Promise<CcrDrRun> {
  return startCcrDr(pair, args).done;
}

/** Writes documents one at a time, each acknowledged (201) before the next; returns their ids. */
export async function writeAcked(base: string, index: string, prefix: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    const r = await http(base, "PUT", `/${index}/_doc/${id}`, { prefix, n: i });
    if (r.status !== 201) throw new Error(`write ${id} to ${index}: ${r.status} ${r.text}`);
    out.push(id);
  }
  return out;
}

/** Sorted, de-duplicated union. */
export function union(...sets: string[][]): string[] {
  return [...new Set(sets.flat())].sort();
}

/** `a` minus `b`, sorted. */
export function minus(a: string[], b: string[]): string[] {
  const s = new Set(b);
  return a.filter((x) => !s.has(x)).sort();
}

/**
 * Pids of the processes working in `dir` (Linux /proc): the language host and the dynamic
 * provider of a `pulumi up` run with the staged program as their working directory, in process
 * groups of their own, so a kill of the `pulumi` process group leaves them running.
 */
export function processesIn(dir: string): number[] {
  const want = fs.realpathSync(dir);
  const out: number[] = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.readlinkSync(`/proc/${p}/cwd`) === want) out.push(Number(p));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** A `host:port` (and URL) on 127.0.0.1 where nothing listens: bound once, then released. */
export async function deadAddress(): Promise<{ hostPort: string; url: string }> {
  const net = await import("node:net");
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as import("node:net").AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return { hostPort: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` };
}

/** One line of a fault case's document accounting in the suite's output. */
export function report(line: string): void {
  process.stderr.write(`[faults] ${line}\n`);
}
