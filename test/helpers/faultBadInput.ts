/**
 * The bad input table of docs/bad-input.md as data: its rows are read from the markdown, and each
 * row's input is given to the real component that rejects it, which answers the error text the
 * row must show. test/integration/faults/badInput.test.ts asserts every row this way, so the table cannot
 * drift from the code.
 *
 * Inputs, by the component in the row's "rejected by" column:
 * - `stack config`: `<key> = <JSON>` or `<key> unset`, applied to a valid dr-b configuration, then
 *   `parseSiteConfig` (what the program runs at `pulumi preview`); the error is the one problem line.
 * - `<Resource> check`: a JSON object merged over valid inputs of that dynamic resource, then its
 *   `check`; the error is `<property>: <reason>` of the one failure.
 * - `ccr-dr`: the command line of `bin/ccr-dr` (stdin not a TTY; `--work-dir` of a staged program
 *   on a temp backend goes first); the error is
 *   `exit <code>: <first line after "ccr-dr: ">`.
 * - `es-sim`: `<METHOD> <path> [<body>]` sent to a running es-sim holding the fixture below; the error
 *   is `<status> <type>: <reason>` of the error envelope (`type` is `error` for ES's flat errors).
 *
 * In an error, `<uuid>` stands for a generated index or task UUID (22 URL-safe base64 characters).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../cli/toolchain";
import { checkAutoFollowPattern } from "../../providers/autoFollowPattern/lifecycle";
import { checkFollowerIndex } from "../../providers/followerIndex/lifecycle";
import { checkQuarantineName } from "../../providers/quarantineName/lifecycle";
import { checkRemoteCluster } from "../../providers/remoteCluster/lifecycle";
import { checkWriteFence } from "../../providers/writeFence/lifecycle";
import { ConfigError, parseSiteConfig, type RawConfig } from "../../stack/config";
import { http } from "./sim";

/** One row of a bad input table. */
export interface BadInputRow {
  id: string;
  input: string;
  rejectedBy: string;
  error: string;
  backedBy: string;
}

/** The text of a markdown code span, unescaping `\|` (a pipe inside a table cell). */
function codeSpan(cell: string): string {
  const m = /^`+\s?([\s\S]*?)\s?`+$/.exec(cell.trim());
  return (m ? m[1]! : cell.trim()).replace(/\\\|/g, "|");
}

/** Every table row of the markdown whose header is `| id | input | rejected by | error | backed by |`. */
export function readRows(markdown: string): BadInputRow[] {
  const rows: BadInputRow[] = [];
  let inTable = false;
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("|")) {
      inTable = false;
      continue;
    }
    const cells = line
      .slice(1, line.trimEnd().length - 1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (cells[0] === "id" && cells[1] === "input") {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(cells[0]!)) continue;
    rows.push({
      id: codeSpan(cells[0]!),
      input: codeSpan(cells[1]!),
      rejectedBy: cells[2]!,
      error: codeSpan(cells[3]!),
      backedBy: cells[4] ?? "",
    });
  }
  return rows;
}

/** Citations `file › test name` in a "backed by" cell (separated by `;`). */
export function citations(cell: string): Array<{ file: string; name: string }> {
  return cell
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
    .map((c) => {
      const [file, name] = c.split(" › ").map((s) => s.replace(/`/g, "").trim());
      return { file: file!, name: name ?? "" };
    });
}

// ---------------------------------------------------------------------------------------------
// stack config

/** A valid dr-b configuration, as `pulumi.Config` returns it. */
function validConfig(): Record<string, unknown> {
  return {
    site: "clusterB",
    primary: "clusterA",
    clusters: {
      clusterA: {
        endpoint: "http://127.0.0.1:9200",
        mode: "proxy",
        proxyAddress: "127.0.0.1:9300",
        proxySocketConnections: 18,
        skipUnavailable: true,
      },
      clusterB: {
        endpoint: "http://127.0.0.1:9201",
        mode: "proxy",
        proxyAddress: "127.0.0.1:9301",
        proxySocketConnections: 18,
        skipUnavailable: true,
      },
    },
    indices: [{ clusterA: "kibana_sample_data_ecommerce", clusterB: "kibana_sample_data_ecommerce2" }],
  };
}

function pathOf(key: string): Array<string | number> {
  const k = key.replace(/^ccr-dr:/, "");
  const out: Array<string | number> = [];
  for (const part of k.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part)!;
    if (m[1]) out.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

function applyConfigChange(config: Record<string, unknown>, change: string): void {
  const m = /^(\S+)\s+(?:=\s+([\s\S]+)|(unset))$/.exec(change.trim());
  if (!m) throw new Error(`bad stack config input [${change}]: expected "<key> = <JSON>" or "<key> unset"`);
  const keys = pathOf(m[1]!);
  let node = config as Record<string | number, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (node[k] === undefined || node[k] === null) node[k] = typeof keys[keys.indexOf(k) + 1] === "number" ? [] : {};
    node = node[k] as Record<string | number, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (m[3]) {
    if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
    else delete node[last];
  } else node[last] = JSON.parse(m[2]!);
}

function configError(input: string): string {
  const config = validConfig();
  for (const change of input.split(" ; ")) applyConfigChange(config, change);
  try {
    parseSiteConfig(config as RawConfig);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (e.problems.length !== 1) return `(${e.problems.length} problems) ${e.problems.join(" / ")}`;
    return e.problems[0]!;
  }
  return "(accepted)";
}

// ---------------------------------------------------------------------------------------------
// provider check

const connection = { endpoints: ["http://127.0.0.1:9201"], name: "clusterB" };
const leaderConnection = { endpoints: ["http://127.0.0.1:9200"], name: "clusterA" };

type Check = (news: Record<string, unknown>) => { failures: Array<{ property: string; reason: string }> };

const CHECKS: Record<string, { check: Check; valid: Record<string, unknown> }> = {
  "RemoteCluster check": {
    check: checkRemoteCluster,
    valid: {
      connection,
      alias: "clusterA",
      mode: "proxy",
      proxyAddress: "127.0.0.1:9300",
      proxySocketConnections: 18,
      skipUnavailable: true,
    },
  },
  "FollowerIndex check": {
    check: checkFollowerIndex,
    valid: {
      connection,
      leaderConnection,
      index: "kibana_sample_data_ecommerce2",
      remoteCluster: "clusterA",
      leaderIndex: "kibana_sample_data_ecommerce",
      failback: { enabled: true, quarantineIndex: "ccr-dr-quarantine-kibana_sample_data_ecommerce2-0011223344556677" },
    },
  },
  "WriteFence check": { check: checkWriteFence, valid: { connection, index: "kibana_sample_data_ecommerce" } },
  "QuarantineName check": { check: checkQuarantineName, valid: { prefix: "ccr-dr-quarantine-logs", keepers: { primary: "clusterA" } } },
  "AutoFollowPattern check": {
    check: checkAutoFollowPattern,
    valid: {
      connection,
      name: "logs",
      remoteCluster: "clusterA",
      leaderIndexPatterns: ["logs-*"],
      followIndexPattern: "{{leader_index}}-copy",
    },
  },
};

function checkError(rejectedBy: string, input: string): string {
  const c = CHECKS[rejectedBy]!;
  const news = { ...c.valid, ...(JSON.parse(input) as Record<string, unknown>) };
  for (const [k, v] of Object.entries(news)) if (v === null) delete news[k];
  const { failures } = c.check(news);
  if (failures.length !== 1) return `(${failures.length} failures) ${failures.map((f) => `${f.property}: ${f.reason}`).join(" / ")}`;
  return `${failures[0]!.property}: ${failures[0]!.reason}`;
}

// ---------------------------------------------------------------------------------------------
// ccr-dr

/** Where `ccr-dr` rows run: a staged program and a file backend of the test's own (never the repository's). */
export interface CliContext {
  workDir: string;
  env: Record<string, string>;
}

function cliError(input: string, ctx: CliContext): Promise<string> {
  const args = [
    "--work-dir",
    ctx.workDir,
    ...input
      .replace(/^ccr-dr\s*/, "")
      .split(/\s+/)
      .filter((a) => a.length > 0),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/ccr-dr"), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...ctx.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = stderr.split("\n").find((l) => l.startsWith("ccr-dr: ")) ?? stderr.trim().split("\n")[0] ?? "";
      resolve(`exit ${code}: ${line.replace(/^ccr-dr: /, "")}`);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// es-sim

/**
 * What the es-sim rows run against: `orders` (a regular index with a document), `orders-copy` (a
 * follower of `orders` through the remote cluster alias `self`, which points at the sim's own
 * transport port) and `fenced` (write-blocked).
 */
export async function esSimFixture(base: string, transportAddress: string): Promise<void> {
  const ok = async (method: string, p: string, body?: unknown) => {
    const r = await http(base, method, p, body);
    if (r.status >= 300) throw new Error(`es-sim fixture: ${method} ${p}: ${r.status} ${r.text}`);
  };
  await ok("PUT", "/orders/_doc/1?refresh=true", { order_id: 1 });
  await ok("PUT", "/_cluster/settings", {
    persistent: { "cluster.remote.self.mode": "proxy", "cluster.remote.self.proxy_address": transportAddress },
  });
  await ok("PUT", "/orders-copy/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "self", leader_index: "orders" });
  await ok("PUT", "/fenced/_doc/1", { x: 1 });
  await ok("PUT", "/fenced/_block/write");
}

async function esSimError(input: string, base: string): Promise<string> {
  const m = /^(GET|PUT|POST|DELETE|HEAD)\s+(\S+)(?:\s+([\s\S]+))?$/.exec(input.trim());
  if (!m) throw new Error(`bad es-sim input [${input}]: expected "<METHOD> <path> [<body>]"`);
  const r = await http(base, m[1]!, m[2]!, m[3], m[3] && m[3].includes("\n") ? { "content-type": "application/x-ndjson" } : {});
  const e = r.body?.error;
  if (typeof e === "string") return `${r.status} error: ${e}`;
  if (e && typeof e === "object") return `${r.status} ${e.type}: ${e.reason}`;
  return `${r.status} (no error) ${r.text.slice(0, 200)}`;
}

// ---------------------------------------------------------------------------------------------

/** What the real component answers to a row's input, in the row's error format. */
export async function actualError(row: BadInputRow, ctx: { cli: CliContext; esSim: string }): Promise<string> {
  if (row.rejectedBy === "stack config") return configError(row.input);
  if (row.rejectedBy in CHECKS) return checkError(row.rejectedBy, row.input);
  if (row.rejectedBy === "ccr-dr") return cliError(row.input, ctx.cli);
  if (row.rejectedBy === "es-sim") return esSimError(row.input, ctx.esSim);
  throw new Error(`row ${row.id}: unknown component [${row.rejectedBy}]`);
}

/** Whether `actual` is the row's error; `<uuid>` in the row matches any generated UUID. */
export function matchesError(expected: string, actual: string): boolean {
  const pattern = expected
    .split("<uuid>")
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[A-Za-z0-9_-]{22}");
  return new RegExp(`^${pattern}$`).test(actual);
}

/** The table's markdown file. */
export const BAD_INPUT_DOC = path.join(repoRoot, "docs", "bad-input.md");

export function readBadInputDoc(): BadInputRow[] {
  return readRows(fs.readFileSync(BAD_INPUT_DOC, "utf8"));
}
