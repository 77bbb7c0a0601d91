/**
 * `ccr-dr doctor`'s checks as pure functions: each turns what was read (the two stack files'
 * configuration, a cluster's `_remote/info`, its `_has_privileges` answer or the error instead)
 * into results that say passed, failed (with the fix) or unknown (with the reason). Reading is
 * doctor.ts; nothing here does I/O. Unknown is never passed: a check that could not be made says
 * why, and the exit code tells a pipeline that not everything was checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  CLUSTER_NAMES,
  type ClusterName,
  ConfigError,
  parseIndicesFile,
  parseSiteConfig,
  type RawConfig,
  type SiteConfig,
} from "../../stack/config";
import type { RemoteInfo } from "../../es/cluster";
import { EsCallError } from "../../es/errors";
import type { PrivilegesHeld, PrivilegesQuery } from "../../es/security";

export type CheckState = "passed" | "failed" | "unknown";

export interface CheckResult {
  /** Which check: stack-files, stack-config, primary, deployed, reachable, remote, privileges. */
  check: string;
  /** What it is about: a stack file, a cluster, or "clusterB → clusterA" for a remote. */
  subject: string;
  state: CheckState;
  /** One line: what is wrong, why it is unknown, or what holds. */
  message: string;
  /** The one thing to do about a failed (or unknown) check. */
  fix?: string;
}

/** One site stack's file and the `ccr-dr:*` values Pulumi reads from it (secrets decrypted). */
export interface StackFile {
  /** The cluster this stack is expected to manage (its place in --stack-a / --stack-b). */
  cluster: ClusterName;
  stack: string;
  /** e.g. `Pulumi.dr-b.yaml`. */
  file: string;
  raw: RawConfig;
  /** The program directory, where a relative `ccr-dr:indicesFile` is read (default: the current directory). */
  projectDir?: string;
}

/** Exit codes of `ccr-dr doctor` (docs/cli.md). */
export const DOCTOR_EXIT = {
  /** Every check passed. */
  passed: 0,
  /** At least one check failed: each is printed with its fix. */
  failed: 1,
  /** Nothing failed, but some checks could not be made (each printed with the reason). */
  unknown: 9,
} as const;

export function doctorExitCode(results: readonly CheckResult[]): number {
  if (results.some((r) => r.state === "failed")) return DOCTOR_EXIT.failed;
  if (results.some((r) => r.state === "unknown")) return DOCTOR_EXIT.unknown;
  return DOCTOR_EXIT.passed;
}

/** Settings whose values are never printed. */
const SECRET_LEAVES = new Set(["password", "apiKey", "caCertificate"]);

/** Leaves of a nested value by dotted path (arrays are leaves: endpoints and seeds compare whole). */
function leaves(v: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, v);
  }
  return out;
}

const shown = (path: string, v: unknown): string =>
  v === undefined ? "nothing" : SECRET_LEAVES.has(path.split(".").pop() ?? "") ? "a different value (not shown)" : JSON.stringify(v);

const pairKey = (p: unknown): string =>
  typeof p === "object" && p !== null
    ? CLUSTER_NAMES.map((c) => `${c}: ${String((p as Record<string, unknown>)[c])}`).join(", ")
    : String(p);

/**
 * Both stack files must say the same about both clusters, the index pairs and the auto-follow
 * patterns: each site's stack configures its own side of the same replication (only
 * `ccr-dr:site`, and for a while `ccr-dr:primary` and `ccr-dr:fenced`, may differ).
 */
export function compareStackFiles(a: StackFile, b: StackFile): CheckResult[] {
  const out: CheckResult[] = [];
  const both = `${a.file} and ${b.file}`;
  const la = leaves(a.raw.clusters, "clusters", new Map());
  const lb = leaves(b.raw.clusters, "clusters", new Map());
  for (const path of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
    const va = la.get(path);
    const vb = lb.get(path);
    if (JSON.stringify(va) === JSON.stringify(vb)) continue;
    const secret = SECRET_LEAVES.has(path.split(".").pop() ?? "");
    out.push({
      check: "stack-files",
      subject: both,
      state: "failed",
      message: `ccr-dr:${path} differs: ${a.file} has ${secret && va !== undefined ? "a value" : shown(path, va)}, ${b.file} has ${shown(path, vb)}`,
      fix: `give ccr-dr:${path} the same value in both stack files (pulumi config set --path 'ccr-dr:${path}' … -s ${a.stack}, and -s ${b.stack}${secret ? ", with --secret" : ""})`,
    });
  }
  const pa = pairsOf(a);
  const pb = pairsOf(b);
  if (pa === undefined || pb === undefined) {
    const unread = [a, b].filter((_s, n) => (n === 0 ? pa : pb) === undefined).map((s) => s.file);
    out.push({
      check: "stack-files",
      subject: both,
      state: "unknown",
      message: `the index pairs of ${unread.join(" and ")} could not be compared: ccr-dr:indicesFile cannot be read or has errors (see stack-config)`,
    });
  } else {
    for (const [from, to, mine, theirs] of [
      [a, b, pa, pb],
      [b, a, pb, pa],
    ] as const) {
      for (const p of mine.filter((x) => !theirs.includes(x))) {
        out.push({
          check: "stack-files",
          subject: to.file,
          state: "failed",
          message: `${pairsSource(to)} of ${to.file} lacks the pair {${p}} that ${from.file} has`,
          fix: `add the pair to ${pairsSource(to)} of ${to.file} or remove it from ${from.file}: both sites must replicate the same pairs`,
        });
      }
    }
  }
  const afp = (s: StackFile) => JSON.stringify(s.raw.autoFollowPatterns ?? []);
  if (afp(a) !== afp(b)) {
    out.push({
      check: "stack-files",
      subject: both,
      state: "failed",
      message: `ccr-dr:autoFollowPatterns differs: ${a.file} has ${afp(a)}, ${b.file} has ${afp(b)}`,
      fix: "give ccr-dr:autoFollowPatterns the same value in both stack files",
    });
  }
  if (out.length === 0) {
    out.push({
      check: "stack-files",
      subject: both,
      state: "passed",
      message: "the stack files agree on ccr-dr:clusters, ccr-dr:indices and ccr-dr:autoFollowPatterns",
    });
  }
  return out;
}

/** Where a stack file's pairs come from, as messages name it. */
const pairsSource = (s: StackFile): string =>
  typeof s.raw.indicesFile === "string" && s.raw.indicesFile !== "" ? `ccr-dr:indicesFile ${s.raw.indicesFile}` : "ccr-dr:indices";

/** A stack file's index pairs (from `ccr-dr:indices` or the file `ccr-dr:indicesFile` names); undefined when that file cannot be read or has errors. */
function pairsOf(s: StackFile): string[] | undefined {
  const file = s.raw.indicesFile;
  if (typeof file !== "string" || file === "") return Array.isArray(s.raw.indices) ? s.raw.indices.map(pairKey) : [];
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(s.projectDir ?? process.cwd(), file), "utf8");
  } catch {
    return undefined;
  }
  const problems: string[] = [];
  const pairs = parseIndicesFile(text, file, problems);
  return problems.length > 0 ? undefined : pairs.map(pairKey);
}

/** Parses a stack file's configuration with the program's own rules; every problem names the file. */
export function parseStackFile(s: StackFile): { config?: SiteConfig; results: CheckResult[] } {
  let config: SiteConfig;
  try {
    config = parseSiteConfig(s.raw, s.projectDir !== undefined ? { projectDir: s.projectDir } : {});
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems : [(e as Error).message];
    return {
      results: problems.map((p) => ({
        check: "stack-config",
        subject: s.file,
        state: "failed" as const,
        message: `${s.file}: ${p}`,
        fix: `correct it in ${s.file} (every key: Pulumi.yaml, docs/configuration.md)`,
      })),
    };
  }
  if (config.site !== s.cluster) {
    return {
      config,
      results: [
        {
          check: "stack-config",
          subject: s.file,
          state: "failed",
          message: `${s.file}: ccr-dr:site is ${config.site}, but stack ${s.stack} is the stack of ${s.cluster}`,
          fix: `set ccr-dr:site: ${s.cluster} in ${s.file} (or pass the right --stack-a / --stack-b)`,
        },
      ],
    };
  }
  return {
    config,
    results: [{ check: "stack-config", subject: s.file, state: "passed", message: `${s.file} is a valid site stack of ${s.cluster}` }],
  };
}

/**
 * The stack files decide who is primary. They name different primaries only between a failover
 * and its failback: replication is not restored until the failback has run.
 */
export function primaryCheck(a: StackFile & { config: SiteConfig }, b: StackFile & { config: SiteConfig }): CheckResult {
  if (a.config.primary === b.config.primary) {
    return {
      check: "primary",
      subject: `${a.file} and ${b.file}`,
      state: "passed",
      message: `both stack files name ${a.config.primary} as primary`,
    };
  }
  return {
    check: "primary",
    subject: `${a.file} and ${b.file}`,
    state: "failed",
    message: `ccr-dr:primary differs: ${a.file} has ${a.config.primary}, ${b.file} has ${b.config.primary} (a failover without its failback: replication is not restored)`,
    fix: "run `ccr-dr failback` once the old primary is back (see docs/runbook.md, Failback)",
  };
}

/**
 * The stack file against the stack's last deployment: a `ccr-dr:primary` that differs from the one
 * the last `pulumi up` applied means this checkout is not the one that made the DR decision in force
 * (a flip that was never committed), or a flip not yet applied. A plain `pulumi up` would undo it.
 */
export function deployedCheck(s: StackFile & { config: SiteConfig }, deployedPrimary: string | undefined, readError?: string): CheckResult {
  const base = { check: "deployed", subject: s.file };
  if (readError !== undefined)
    return { ...base, state: "unknown", message: `the outputs of stack ${s.stack} could not be read: ${readError}` };
  if (deployedPrimary === undefined) {
    return {
      ...base,
      state: "unknown",
      message: `stack ${s.stack} has not been deployed yet (no outputs), so nothing to compare ${s.file} with`,
      fix: `pulumi up -s ${s.stack}`,
    };
  }
  if (deployedPrimary === s.config.primary) {
    return { ...base, state: "passed", message: `${s.file} names the primary stack ${s.stack} last deployed (${deployedPrimary})` };
  }
  return {
    ...base,
    state: "failed",
    message: `${s.file} has ccr-dr:primary ${s.config.primary}, but the last \`pulumi up -s ${s.stack}\` deployed ${deployedPrimary}: a plain \`pulumi up -s ${s.stack}\` would switch it back`,
    fix: `commit the ${s.file} that made ${deployedPrimary} primary (the stack files hold the DR decision), or apply this change on purpose with \`pulumi up -s ${s.stack}\``,
  };
}

/** The cluster answered `GET /` (or the error instead). */
export function reachableCheck(cluster: ClusterName, endpoint: string, error?: string): CheckResult {
  if (error === undefined) return { check: "reachable", subject: cluster, state: "passed", message: `${cluster} answers at ${endpoint}` };
  return {
    check: "reachable",
    subject: cluster,
    state: "failed",
    message: `${cluster} does not answer at ${endpoint}: ${error}`,
    fix: `start ${cluster}, or correct ccr-dr:clusters.${cluster}.endpoint and its credentials in both stack files`,
  };
}

/**
 * The peer as `cluster` sees it (`GET _remote/info`): registered under the peer's name by the
 * site's RemoteCluster resource, with the configured address, and connected.
 */
export function remoteCheck(
  cluster: ClusterName,
  cfg: SiteConfig,
  read: { remotes: Record<string, RemoteInfo> } | { error: string },
): CheckResult {
  const peer = cfg.peer;
  const subject = `${cluster} → ${peer}`;
  const stack = `the site stack of ${cluster}`;
  if ("error" in read)
    return { check: "remote", subject, state: "unknown", message: `${cluster}'s remote clusters could not be read: ${read.error}` };
  const info = read.remotes[peer];
  if (!info) {
    return {
      check: "remote",
      subject,
      state: "unknown",
      message: `${cluster} has no remote cluster ${peer} registered yet, so whether it reaches ${peer} is not known`,
      fix: `pulumi up on ${stack} registers it`,
    };
  }
  const want = cfg.clusters[peer].remote;
  const key = `ccr-dr:clusters.${peer}`;
  if (info.mode !== undefined && info.mode !== want.mode) {
    return {
      check: "remote",
      subject,
      state: "failed",
      message: `${cluster}'s remote ${peer} is in ${info.mode} mode, the stack files say ${want.mode} (${key}.mode)`,
      fix: `pulumi up on ${stack} re-registers it as configured`,
    };
  }
  if (want.mode === "proxy" && info.proxyAddress !== undefined && info.proxyAddress !== want.proxyAddress) {
    return {
      check: "remote",
      subject,
      state: "failed",
      message: `${cluster}'s remote ${peer} points at ${info.proxyAddress}, the stack files say ${want.proxyAddress} (${key}.proxyAddress)`,
      fix: `pulumi up on ${stack} re-registers it as configured`,
    };
  }
  if (
    want.mode === "sniff" &&
    info.seeds !== undefined &&
    JSON.stringify([...info.seeds].sort()) !== JSON.stringify([...want.seeds].sort())
  ) {
    return {
      check: "remote",
      subject,
      state: "failed",
      message: `${cluster}'s remote ${peer} has seeds ${info.seeds.join(", ")}, the stack files say ${want.seeds.join(", ")} (${key}.seeds)`,
      fix: `pulumi up on ${stack} re-registers it as configured`,
    };
  }
  const address = want.mode === "proxy" ? want.proxyAddress : want.seeds.join(", ");
  if (!info.connected) {
    return {
      check: "remote",
      subject,
      state: "failed",
      message: `${cluster} cannot reach its remote ${peer} at ${address} (_remote/info: connected false)`,
      fix: `make ${peer}'s transport port or proxy at ${address} reachable from ${cluster}'s nodes, or correct ${key}.${want.mode === "proxy" ? "proxyAddress" : "seeds"} in both stack files`,
    };
  }
  return { check: "remote", subject, state: "passed", message: `${cluster} is connected to its remote ${peer} at ${address}` };
}

/** Cluster privileges the steps use on every cluster (each is leader at one time, follower at another). */
export const CLUSTER_PRIVILEGES = ["manage_ccr", "monitor", "manage"] as const;
/** Index privileges on the replicated indices: follow, promote (pause, close, unfollow, open), fence, failback (delete, re-follow). */
export const INDEX_PRIVILEGES = ["manage_follow_index", "monitor", "read", "manage_leader_index", "write", "manage"] as const;
/** The quarantine indices a failback creates and fills. */
export const QUARANTINE_PATTERN = "ccr-dr-quarantine-*";
export const QUARANTINE_PRIVILEGES = ["manage", "read", "write"] as const;

/** What `cluster`'s credentials must hold, for its own names of the index pairs. */
export function privilegesNeeded(cfg: SiteConfig, cluster: ClusterName): PrivilegesQuery {
  const names = cfg.indices.map((p) => p[cluster]);
  return {
    cluster: [...CLUSTER_PRIVILEGES],
    index: [
      ...(names.length > 0 ? [{ names, privileges: [...INDEX_PRIVILEGES] }] : []),
      { names: [QUARANTINE_PATTERN], privileges: [...QUARANTINE_PRIVILEGES] },
    ],
  };
}

/** The `_has_privileges` answer (or why there is none) against what the steps need. */
export function privilegesCheck(
  cluster: ClusterName,
  query: PrivilegesQuery,
  read: { held: PrivilegesHeld } | { error: unknown },
): CheckResult {
  const base = { check: "privileges", subject: cluster };
  const creds = `ccr-dr:clusters.${cluster}.username/password or apiKey`;
  if ("error" in read) {
    const e = read.error;
    if (e instanceof EsCallError && e.kind === "response" && e.status === 401) {
      return {
        ...base,
        state: "failed",
        message: `${cluster} rejects the configured credentials (401): ${e.reason ?? e.message}`,
        fix: `correct ${creds} in both stack files (as secrets)`,
      };
    }
    const reason = e instanceof EsCallError ? (e.reason ?? e.message) : e instanceof Error ? e.message : String(e);
    return {
      ...base,
      state: "unknown",
      message: `the privileges of the configured credentials on ${cluster} could not be checked: ${reason}`,
    };
  }
  const { held } = read;
  const missing: string[] = [];
  const clusterMissing = query.cluster.filter((p) => held.cluster[p] !== true);
  if (clusterMissing.length > 0) missing.push(`cluster ${clusterMissing.join(", ")}`);
  for (const group of query.index) {
    for (const name of group.names) {
      const got = held.index[name] ?? {};
      const lack = group.privileges.filter((p) => got[p] !== true);
      if (lack.length > 0) missing.push(`${lack.join(", ")} on ${name}`);
    }
  }
  const who = held.username ? `user ${held.username}` : "the configured credentials";
  if (missing.length === 0) {
    return { ...base, state: "passed", message: `${who} on ${cluster} holds every privilege the steps need` };
  }
  return {
    ...base,
    state: "failed",
    message: `${who} on ${cluster} lacks ${missing.join("; ")}`,
    fix: `grant them to a role of ${who} on ${cluster} (docs/runbook.md, Configure the real clusters), or configure other ${creds}`,
  };
}

/** One line per result, as the command prints them. */
export function formatResult(r: CheckResult): string {
  const tag = r.state === "passed" ? "ok     " : r.state === "failed" ? "FAILED " : "UNKNOWN";
  const text = r.state === "unknown" ? `unknown (${r.message})` : r.message;
  return `${tag} ${r.check} ${r.subject}: ${text}${r.fix && r.state !== "passed" ? ` — fix: ${r.fix}` : ""}`;
}
