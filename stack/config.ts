/**
 * The site stacks' configuration (`ccr-dr:*` keys, documented in Pulumi.yaml), parsed and
 * validated in one function (whose only input besides the values is the `ccr-dr:indicesFile` it
 * reads) so every problem is reported at `pulumi preview`, together, before anything is sent to a
 * cluster.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Connection } from "../es/connection";
import { hostPortProblem, indexNameProblem } from "../providers/shared/check";

/** The two sites of the uni-directional tutorial; config keys and values use exactly these. */
export const CLUSTER_NAMES = ["clusterA", "clusterB"] as const;
export type ClusterName = (typeof CLUSTER_NAMES)[number];

/** How one cluster is reached: over HTTP by the providers, over its transport port by its peer. */
export interface ClusterConfig {
  name: ClusterName;
  /** HTTP endpoint(s) of the cluster, e.g. `http://127.0.0.1:9200`. */
  endpoints: string[];
  /** How the peer registers this cluster as a remote (`cluster.remote.<name>.*`). */
  remote: RemoteConnectionConfig;
  username?: string;
  password?: string;
  apiKey?: string;
  caCertificate?: string;
  requestTimeoutMs?: number;
  /**
   * The cross-cluster API key created on this cluster (`encoded` of `POST
   * /_security/cross_cluster/api_key`) that its peer holds in its keystore as
   * `cluster.remote.<this cluster>.credentials` to replicate from it (ES 8 API-key remotes).
   */
  crossClusterApiKey?: string;
}

/**
 * `c` as a plain connection (credentials in clear, `requestTimeoutMs` as given) for the reads made
 * outside any resource: `ccr-dr status` and the program's `lastPromotion` output.
 */
export function plainConnection(c: ClusterConfig, requestTimeoutMs: number): Connection {
  const conn: Connection = { name: c.name, endpoints: c.endpoints, requestTimeoutMs };
  if (c.username !== undefined) conn.basicAuth = { username: c.username, password: c.password ?? "" };
  if (c.apiKey !== undefined) conn.apiKey = c.apiKey;
  if (c.caCertificate !== undefined) conn.caCertificate = c.caCertificate;
  return conn;
}

export type RemoteConnectionConfig =
  | { mode: "proxy"; proxyAddress: string; serverName?: string; proxySocketConnections?: number; skipUnavailable?: boolean }
  | { mode: "sniff"; seeds: string[]; nodeConnections?: number; skipUnavailable?: boolean };

/** One replicated index: its name on each cluster. */
export type IndexPair = Record<ClusterName, string>;

/** An auto-follow pattern the non-primary site registers against the primary. */
export interface AutoFollowPatternConfig {
  name: string;
  leaderIndexPatterns: string[];
  leaderIndexExclusionPatterns?: string[];
  followIndexPattern?: string;
}

export interface SiteConfig {
  /** The cluster this stack manages. */
  site: ClusterName;
  /** The cluster that takes writes. */
  primary: ClusterName;
  /** The other cluster. */
  peer: ClusterName;
  clusters: Record<ClusterName, ClusterConfig>;
  indices: IndexPair[];
  autoFollowPatterns: AutoFollowPatternConfig[];
  /** Planned switchover, step 1: write-block this site's indices while it is still the primary. */
  fenced: boolean;
  /**
   * Unplanned failover while the old primary still answers and takes writes: fence it (write block
   * through its own connection) before promoting, instead of refusing (stack/splitBrain.ts).
   */
  force: boolean;
}

/** The raw values as `pulumi.Config` returns them (objects already parsed from YAML). */
export interface RawConfig {
  site?: unknown;
  primary?: unknown;
  clusters?: unknown;
  indices?: unknown;
  /** `ccr-dr:indicesFile`: a file of index pairs instead of `indices` (see {@link parseIndicesFile}). */
  indicesFile?: unknown;
  autoFollowPatterns?: unknown;
  fenced?: unknown;
  force?: unknown;
}

/** Where relative paths in the configuration (`ccr-dr:indicesFile`) start. */
export interface ConfigSources {
  /** The project directory (the one holding Pulumi.yaml); default: the current directory, where Pulumi runs the program. */
  projectDir?: string;
  /** Reads a file as UTF-8 (tests substitute it); default: fs.readFileSync. */
  readFile?: (file: string) => string;
}

/** Every problem found in the configuration, one line each, keyed by the config key at fault. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(
      `invalid ccr-dr configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

/** The settings a cluster entry may have (documented in docs/configuration.md). */
export const CLUSTER_SETTINGS = [
  "endpoint",
  "endpoints",
  "mode",
  "proxyAddress",
  "serverName",
  "proxySocketConnections",
  "seeds",
  "nodeConnections",
  "skipUnavailable",
  "username",
  "password",
  "apiKey",
  "caCertificate",
  "requestTimeoutMs",
  "crossClusterApiKey",
] as const;
const CLUSTER_KEYS = new Set<string>(CLUSTER_SETTINGS);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isClusterName = (v: unknown): v is ClusterName => CLUSTER_NAMES.includes(v as ClusterName);
const oneOf = `one of ${CLUSTER_NAMES.join(", ")}`;

function urlProblem(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") return `must be an http(s) URL, found [${value}]`;
    return undefined;
  } catch {
    return `must be an http(s) URL, found [${value}]`;
  }
}

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

function parseCluster(name: ClusterName, raw: unknown, problems: string[]): ClusterConfig | undefined {
  const key = `ccr-dr:clusters.${name}`;
  if (!isObject(raw)) {
    problems.push(`${key} is missing: give its endpoint and remote connection (see Pulumi.yaml)`);
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!CLUSTER_KEYS.has(k)) problems.push(`${key}.${k} is not a known setting (known: ${[...CLUSTER_KEYS].join(", ")})`);
  }
  const endpointsRaw = raw.endpoints ?? (raw.endpoint === undefined ? undefined : [raw.endpoint]);
  const endpoints: string[] = [];
  if (!Array.isArray(endpointsRaw) || endpointsRaw.length === 0) {
    problems.push(`${key}.endpoint is missing: set the cluster's HTTP endpoint, e.g. http://127.0.0.1:9200`);
  } else {
    for (const e of endpointsRaw) {
      const p = typeof e === "string" ? urlProblem(e) : "must be a string";
      if (p) problems.push(`${key}.endpoint ${p}`);
      else endpoints.push(e as string);
    }
  }
  const skipUnavailable = raw.skipUnavailable === undefined ? undefined : bool(raw.skipUnavailable);
  if (raw.skipUnavailable !== undefined && skipUnavailable === undefined) problems.push(`${key}.skipUnavailable must be true or false`);
  const mode = raw.mode ?? "proxy";
  let remote: RemoteConnectionConfig | undefined;
  if (mode === "proxy") {
    for (const k of ["seeds", "nodeConnections"]) {
      if (raw[k] !== undefined) problems.push(`${key}.${k} cannot be used with mode proxy (it is a sniff-mode setting)`);
    }
    const proxyAddress = raw.proxyAddress;
    if (typeof proxyAddress !== "string") {
      problems.push(`${key}.proxyAddress is missing: the host:port of the cluster's transport (or proxy) endpoint`);
    } else {
      const p = hostPortProblem(proxyAddress);
      if (p) problems.push(`${key}.proxyAddress [${proxyAddress}]: ${p}`);
    }
    const proxySocketConnections = raw.proxySocketConnections === undefined ? undefined : positiveInt(raw.proxySocketConnections);
    if (raw.proxySocketConnections !== undefined && proxySocketConnections === undefined) {
      problems.push(`${key}.proxySocketConnections must be a positive integer`);
    }
    if (raw.serverName !== undefined && typeof raw.serverName !== "string") problems.push(`${key}.serverName must be a string`);
    remote = {
      mode,
      proxyAddress: String(proxyAddress),
      ...(typeof raw.serverName === "string" && raw.serverName !== "" ? { serverName: raw.serverName } : {}),
      ...(proxySocketConnections !== undefined ? { proxySocketConnections } : {}),
      ...(skipUnavailable !== undefined ? { skipUnavailable } : {}),
    };
  } else if (mode === "sniff") {
    for (const k of ["proxyAddress", "serverName", "proxySocketConnections"]) {
      if (raw[k] !== undefined) problems.push(`${key}.${k} cannot be used with mode sniff (it is a proxy-mode setting)`);
    }
    const seeds = raw.seeds;
    if (!Array.isArray(seeds) || seeds.length === 0) {
      problems.push(`${key}.seeds is missing: a list of host:port transport addresses`);
    } else {
      for (const s of seeds) {
        const p = typeof s === "string" ? hostPortProblem(s) : "must be a string";
        if (p) problems.push(`${key}.seeds entry [${String(s)}]: ${p}`);
      }
    }
    const nodeConnections = raw.nodeConnections === undefined ? undefined : positiveInt(raw.nodeConnections);
    if (raw.nodeConnections !== undefined && nodeConnections === undefined)
      problems.push(`${key}.nodeConnections must be a positive integer`);
    remote = {
      mode,
      seeds: Array.isArray(seeds) ? seeds.map(String) : [],
      ...(nodeConnections !== undefined ? { nodeConnections } : {}),
      ...(skipUnavailable !== undefined ? { skipUnavailable } : {}),
    };
  } else {
    problems.push(`${key}.mode must be proxy or sniff, found [${String(mode)}]`);
  }
  for (const k of ["username", "password", "apiKey", "caCertificate", "crossClusterApiKey"] as const) {
    if (raw[k] !== undefined && typeof raw[k] !== "string") problems.push(`${key}.${k} must be a string`);
  }
  if (raw.password !== undefined && raw.username === undefined) problems.push(`${key}.username is missing: a password needs a username`);
  if (raw.apiKey !== undefined && raw.username !== undefined) problems.push(`${key}: give either username/password or apiKey, not both`);
  const requestTimeoutMs = raw.requestTimeoutMs === undefined ? undefined : positiveInt(raw.requestTimeoutMs);
  if (raw.requestTimeoutMs !== undefined && requestTimeoutMs === undefined)
    problems.push(`${key}.requestTimeoutMs must be a positive integer`);
  if (!remote) return undefined;
  return {
    name,
    endpoints,
    remote,
    ...(typeof raw.username === "string" ? { username: raw.username } : {}),
    ...(typeof raw.password === "string" ? { password: raw.password } : {}),
    ...(typeof raw.apiKey === "string" ? { apiKey: raw.apiKey } : {}),
    ...(typeof raw.caCertificate === "string" ? { caCertificate: raw.caCertificate } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(typeof raw.crossClusterApiKey === "string" ? { crossClusterApiKey: raw.crossClusterApiKey } : {}),
  };
}

/**
 * `ccr-dr:indicesFile`: the index pairs in a text file instead of the stack configuration, which
 * Pulumi hands to the program in one environment variable capped at 128 KiB (≈ 1,400 pairs of
 * 28-character names). One pair per line: `<index on clusterA> <index on clusterB>`, separated by
 * spaces or tabs, or a single name when both clusters use it; `#` starts a comment (index names
 * cannot contain `#` or white space); blank lines are skipped. Every problem is reported with its
 * line number, as `ccr-dr:indices` problems are with their position.
 */
export function parseIndicesFile(text: string, file: string, problems: string[]): IndexPair[] {
  const key = `ccr-dr:indicesFile ${file}`;
  const pairs: IndexPair[] = [];
  const seen: Record<ClusterName, Map<string, number>> = { clusterA: new Map(), clusterB: new Map() };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf("#");
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).split(/[ \t]+/).filter(Boolean);
    if (fields.length === 0) return;
    if (fields.length > 2) {
      problems.push(
        `${key} line ${line} has ${fields.length} names: write "<index on clusterA> <index on clusterB>", or one name when both clusters use it`,
      );
      return;
    }
    const names: Record<ClusterName, string> = { clusterA: fields[0]!, clusterB: fields[1] ?? fields[0]! };
    let ok = true;
    for (const cluster of CLUSTER_NAMES) {
      const name = names[cluster];
      const p = indexNameProblem(name);
      if (p) {
        // one problem for a single name that is wrong on both sides
        if (cluster === "clusterA" || fields.length === 2) problems.push(`${key} line ${line}: [${name}] is not a valid index name: ${p}`);
        ok = false;
        continue;
      }
      const first = seen[cluster].get(name);
      if (first !== undefined) {
        problems.push(`${key} line ${line}: ${cluster} index [${name}] is already on line ${first}: an index can be in one pair only`);
        ok = false;
      } else {
        seen[cluster].set(name, line);
      }
    }
    if (ok) pairs.push(names);
  });
  if (pairs.length === 0 && problems.length === 0) {
    problems.push(`${key} lists no index pairs: write one pair per line, "<index on clusterA> <index on clusterB>"`);
  }
  return pairs;
}

/** The pairs of `ccr-dr:indices` or, when set instead, of the file `ccr-dr:indicesFile` names. */
function parseIndexPairs(raw: RawConfig, sources: ConfigSources, problems: string[]): IndexPair[] {
  // Pulumi.yaml declares both with empty defaults (a declared key without one is required), so an
  // empty value is an unset one.
  if (raw.indicesFile === undefined || raw.indicesFile === "") return parseIndices(raw.indices, problems);
  if (raw.indices !== undefined && !(Array.isArray(raw.indices) && raw.indices.length === 0)) {
    problems.push(
      "ccr-dr:indices and ccr-dr:indicesFile are both set: keep one (pulumi config rm ccr-dr:indices to use the file, or pulumi config rm ccr-dr:indicesFile)",
    );
    return [];
  }
  if (typeof raw.indicesFile !== "string" || raw.indicesFile.trim() === "") {
    problems.push("ccr-dr:indicesFile must be a file path, relative to the project directory (where Pulumi.yaml is) or absolute");
    return [];
  }
  const dir = sources.projectDir ?? process.cwd();
  const file = path.resolve(dir, raw.indicesFile);
  let text: string;
  try {
    text = (sources.readFile ?? ((f: string) => fs.readFileSync(f, "utf8")))(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(
      code === "ENOENT"
        ? `ccr-dr:indicesFile [${raw.indicesFile}] does not exist: a relative path starts at the project directory (where Pulumi.yaml is); create the file there, one index pair per line, or fix the path`
        : `ccr-dr:indicesFile [${raw.indicesFile}] cannot be read: ${(e as Error).message}`,
    );
    return [];
  }
  return parseIndicesFile(text, raw.indicesFile, problems);
}

function parseIndices(raw: unknown, problems: string[]): IndexPair[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(
      "ccr-dr:indices is missing: a list of pairs like {clusterA: my-index, clusterB: my-index}, or ccr-dr:indicesFile naming a file of pairs",
    );
    return [];
  }
  const pairs: IndexPair[] = [];
  const seen: Record<ClusterName, Map<string, number>> = { clusterA: new Map(), clusterB: new Map() };
  raw.forEach((entry, i) => {
    const key = `ccr-dr:indices[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${key} must be an object like {clusterA: my-index, clusterB: my-index}`);
      return;
    }
    for (const k of Object.keys(entry)) {
      if (!isClusterName(k)) problems.push(`${key} names cluster [${k}], which is not configured: use ${oneOf}`);
    }
    let ok = true;
    for (const cluster of CLUSTER_NAMES) {
      const name = entry[cluster];
      if (typeof name !== "string") {
        problems.push(`${key}.${cluster} is missing: the index name on ${cluster}`);
        ok = false;
        continue;
      }
      const p = indexNameProblem(name);
      if (p) {
        problems.push(`${key}.${cluster} [${name}] is not a valid index name: ${p}`);
        ok = false;
      }
      const first = seen[cluster].get(name);
      if (first !== undefined) {
        problems.push(`${key}.${cluster} [${name}] is already in ccr-dr:indices[${first}]: an index can be in one pair only`);
        ok = false;
      } else {
        seen[cluster].set(name, i);
      }
    }
    if (ok) pairs.push({ clusterA: entry.clusterA as string, clusterB: entry.clusterB as string });
  });
  return pairs;
}

function parseAutoFollow(raw: unknown, problems: string[]): AutoFollowPatternConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push("ccr-dr:autoFollowPatterns must be a list of {name, leaderIndexPatterns, followIndexPattern?}");
    return [];
  }
  const out: AutoFollowPatternConfig[] = [];
  raw.forEach((entry, i) => {
    const key = `ccr-dr:autoFollowPatterns[${i}]`;
    if (!isObject(entry) || typeof entry.name !== "string" || entry.name === "") {
      problems.push(`${key}.name is missing`);
      return;
    }
    const patterns = entry.leaderIndexPatterns;
    if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((p) => typeof p !== "string")) {
      problems.push(`${key}.leaderIndexPatterns must be a non-empty list of index patterns`);
      return;
    }
    const exclusions = entry.leaderIndexExclusionPatterns;
    if (exclusions !== undefined && (!Array.isArray(exclusions) || exclusions.some((p) => typeof p !== "string"))) {
      problems.push(`${key}.leaderIndexExclusionPatterns must be a list of index patterns`);
      return;
    }
    if (entry.followIndexPattern !== undefined && typeof entry.followIndexPattern !== "string") {
      problems.push(`${key}.followIndexPattern must be a string such as "{{leader_index}}-copy"`);
      return;
    }
    out.push({
      name: entry.name,
      leaderIndexPatterns: patterns as string[],
      ...(exclusions ? { leaderIndexExclusionPatterns: exclusions as string[] } : {}),
      ...(typeof entry.followIndexPattern === "string" ? { followIndexPattern: entry.followIndexPattern } : {}),
    });
  });
  return out;
}

/** Parses and validates the whole configuration; throws a ConfigError listing every problem. */
export function parseSiteConfig(raw: RawConfig, sources: ConfigSources = {}): SiteConfig {
  const problems: string[] = [];
  if (!isClusterName(raw.site)) {
    problems.push(
      raw.site === undefined
        ? `ccr-dr:site is missing: set it to the cluster this stack manages, ${oneOf}`
        : `ccr-dr:site [${String(raw.site)}] is unknown: use ${oneOf}`,
    );
  }
  if (!isClusterName(raw.primary)) {
    problems.push(
      raw.primary === undefined
        ? `ccr-dr:primary is missing: set it to the cluster that takes writes, ${oneOf}`
        : `ccr-dr:primary [${String(raw.primary)}] is unknown: use ${oneOf}`,
    );
  }
  const clusters: Partial<Record<ClusterName, ClusterConfig>> = {};
  if (!isObject(raw.clusters)) {
    problems.push("ccr-dr:clusters is missing: give clusterA and clusterB with their endpoints (see Pulumi.yaml)");
  } else {
    for (const k of Object.keys(raw.clusters)) {
      if (!isClusterName(k)) problems.push(`ccr-dr:clusters.${k} is not a known cluster: use ${oneOf}`);
    }
    for (const name of CLUSTER_NAMES) {
      const c = parseCluster(name, raw.clusters[name], problems);
      if (c) clusters[name] = c;
    }
  }
  const indices = parseIndexPairs(raw, sources, problems);
  const autoFollowPatterns = parseAutoFollow(raw.autoFollowPatterns, problems);
  const fenced = raw.fenced === undefined ? false : bool(raw.fenced);
  if (fenced === undefined) problems.push("ccr-dr:fenced must be true or false");
  const force = raw.force === undefined ? false : bool(raw.force);
  if (force === undefined) problems.push("ccr-dr:force must be true or false");
  if (problems.length > 0) throw new ConfigError(problems);
  const site = raw.site as ClusterName;
  return {
    site,
    primary: raw.primary as ClusterName,
    peer: site === "clusterA" ? "clusterB" : "clusterA",
    clusters: clusters as Record<ClusterName, ClusterConfig>,
    indices,
    autoFollowPatterns,
    fenced: fenced as boolean,
    force: force as boolean,
  };
}
