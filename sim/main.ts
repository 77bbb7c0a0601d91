/**
 * The es-sim process: `bin/es-sim -E cluster.name=… -E http.port=… -E transport.port=… -E path.data=…`.
 * Parses ES-style `-E key=value` settings, starts the sim, prints exactly one JSON line to stdout
 * once listening, logs to stderr, and shuts down cleanly on SIGTERM/SIGINT (exit 0). Start-up
 * failures (lock held, corrupt or foreign data dir, port in use, bad setting) exit 1 with a message.
 */
import { resolve } from "node:path";
import { parseBool, parseByteSize } from "./engine/settings";
import { startSim, type Sim } from "./index";
import { formatRepairReport, repairDataDir } from "./storage/repair";
import { isSecureSetting, keystorePath, readKeystore, writeKeystore } from "./security/keystore";

/** Every `-E` setting es-sim understands, with its default and meaning (for `--help`). */
export const NODE_SETTINGS: Array<{ key: string; default: string; help: string }> = [
  { key: "cluster.name", default: "elasticsearch", help: "Name of this single-node cluster (GET / cluster_name)." },
  { key: "node.name", default: "<hostname>", help: "Name of the node (GET / name)." },
  { key: "path.data", default: "data", help: "Data directory; locked with node.lock, one process per directory." },
  { key: "network.host", default: "127.0.0.1", help: "Address both listeners bind (_local_ = 127.0.0.1)." },
  { key: "http.host", default: "<network.host>", help: "Address of the REST listener." },
  { key: "http.port", default: "9200", help: "REST port; 0 picks a free port." },
  { key: "transport.host", default: "<network.host>", help: "Address of the transport listener." },
  { key: "transport.port", default: "9300", help: "Transport port (the address remote clusters use); 0 picks a free port." },
  { key: "http.max_content_length", default: "100mb", help: "Largest request body; larger ones get 413." },
  {
    key: "network.breaker.inflight_requests.limit",
    default: "1gb",
    help: "In-flight requests breaker: request bodies being received, times the overhead, above this answer 429 (-1: no limit).",
  },
  { key: "network.breaker.inflight_requests.overhead", default: "2", help: "Multiplier of the in-flight bytes." },
  {
    key: "xpack.security.enabled",
    default: "false",
    help: "Require HTTP basic auth (the 'elastic' superuser with password $ELASTIC_PASSWORD, and native users/roles of the _security APIs) and a cross-cluster API key from every transport peer.",
  },
  { key: "discovery.type", default: "single-node", help: "Only single-node is supported." },
  { key: "action.auto_create_index", default: "true", help: "Default of the dynamic cluster setting of the same name." },
  { key: "action.destructive_requires_name", default: "true", help: "Default of the dynamic cluster setting of the same name." },
  {
    key: "cluster.routing.allocation.disk.threshold_enabled",
    default: "true",
    help: "Default of the dynamic cluster setting: whether the disk monitor applies and releases the flood-stage block.",
  },
  {
    key: "cluster.routing.allocation.disk.watermark.low",
    default: "85%",
    help: "Default of the dynamic cluster setting (checked for consistency).",
  },
  {
    key: "cluster.routing.allocation.disk.watermark.high",
    default: "90%",
    help: "Default of the dynamic cluster setting: below it the flood-stage block is released.",
  },
  {
    key: "cluster.routing.allocation.disk.watermark.flood_stage",
    default: "95%",
    help: "Default of the dynamic cluster setting: used ratio, or absolute free space (e.g. 500mb), beyond which every index gets index.blocks.read_only_allow_delete.",
  },
  {
    key: "cluster.info.update.interval",
    default: "30s",
    help: "Default of the dynamic cluster setting: how often the disk monitor reads the data path's usage.",
  },
  {
    key: "cluster.remote.<alias>.<setting>",
    default: "none",
    help: "Remote clusters configured at start-up, as in elasticsearch.yml (mode, seeds, proxy_address, server_name, proxy_socket_connections, node_connections, skip_unavailable); persistent and transient cluster settings override them.",
  },
];

/** `-E` keys taken by prefix (affix settings). */
const NODE_SETTING_PREFIXES = ["cluster.remote."];

/** `network.breaker.inflight_requests.*` from the `-E` settings (ES's byte size and double parsers). */
function inFlightSettings(s: Record<string, string>): { limit?: number; overhead?: number } {
  const out: { limit?: number; overhead?: number } = {};
  const limit = s["network.breaker.inflight_requests.limit"];
  if (limit !== undefined) out.limit = parseByteSize("network.breaker.inflight_requests.limit", limit);
  const overhead = s["network.breaker.inflight_requests.overhead"];
  if (overhead !== undefined) {
    const n = Number(overhead);
    if (overhead.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`Failed to parse value [${overhead}] for setting [network.breaker.inflight_requests.overhead]`);
    }
    out.overhead = n;
  }
  return out;
}

/** Help text of `bin/es-sim --help`. */
export function helpText(): string {
  const width = Math.max(...NODE_SETTINGS.map((s) => s.key.length));
  return [
    "es-sim: an embedded Elasticsearch 8.x-compatible single-node server.",
    "",
    "Usage: es-sim [-E <setting>=<value>]... [--help]",
    "",
    "Settings (Elasticsearch's -E convention):",
    ...NODE_SETTINGS.map((s) => `  ${s.key.padEnd(width)}  ${s.help} Default: ${s.default}.`),
    "",
    "Environment: ELASTIC_PASSWORD  password of the 'elastic' user when xpack.security.enabled=true.",
    "",
    "Keystore (secure settings, like bin/elasticsearch-keystore; read at start and on POST /_nodes/reload_secure_settings):",
    "  es-sim keystore add <setting> -E path.data=<dir>     value read from stdin (e.g. cluster.remote.<alias>.credentials)",
    "  es-sim keystore remove <setting> -E path.data=<dir>",
    "  es-sim keystore list -E path.data=<dir>",
    "",
    "Once listening, prints one JSON line to stdout:",
    '  {"es-sim":"started","http":"http://127.0.0.1:9200","transport":"127.0.0.1:9300","cluster_name":…,"node_name":…,"cluster_uuid":…,"pid":…,"path_data":…}',
    "SIGTERM or SIGINT: close listeners, flush, release the lock, exit 0.",
    "",
    "Usage: es-sim repair [-E path.data=<dir>] [--dry-run]",
    "",
    "  With es-sim stopped: finds operation logs whose acknowledged records are damaged (the reason",
    "  es-sim refuses to start), moves each damaged log and its later generations aside",
    "  (<file>.corrupt-<time>, never deleted), keeps the intact records before the damage, and",
    "  reports what was lost: byte ranges, the acknowledged record count, and the _seq_no/_id of every",
    "  dropped record still readable (also in indices/<uuid>/repair-<time>.json). --dry-run only reports.",
    "  Exit 0: nothing damaged or repaired; 1: could not repair (message says why).",
    "",
  ].join("\n");
}

/** Thrown for bad command-line input. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses `-E k=v`, `-Ek=v` and `--help` into settings. */
export function parseArgs(argv: string[]): { help: boolean; settings: Record<string, string> } {
  const settings: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    let kv: string | undefined;
    if (a === "-E") kv = argv[++i];
    else if (a.startsWith("-E")) kv = a.slice(2);
    else throw new UsageError(`unknown argument [${a}]; settings are given as -E key=value (see --help)`);
    if (kv === undefined || !kv.includes("=")) throw new UsageError(`setting [${kv ?? ""}] must be in the form key=value`);
    const eq = kv.indexOf("=");
    const key = kv.slice(0, eq);
    if (!NODE_SETTINGS.some((s) => s.key === key) && !NODE_SETTING_PREFIXES.some((p) => key.startsWith(p))) {
      throw new UsageError(
        `unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
    settings[key] = kv.slice(eq + 1);
  }
  return { help, settings };
}

function port(key: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`Failed to parse value [${v}] for setting [${key}]`);
  return Number(v);
}

function host(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v === "_local_" || v === "localhost") return "127.0.0.1";
  return v;
}

/** `es-sim repair`: mends damaged operation logs of a stopped node (sim/storage/repair.ts). */
async function repairCommand(argv: string[]): Promise<void> {
  const dryRun = argv.includes("--dry-run");
  let settings: Record<string, string>;
  try {
    settings = parseArgs(argv.filter((a) => a !== "--dry-run")).settings;
    const other = Object.keys(settings).filter((k) => k !== "path.data");
    if (other.length > 0) throw new UsageError(`es-sim repair takes only -E path.data=<dir> and --dry-run, not [${other.join(", ")}]`);
  } catch (e) {
    process.stderr.write(`es-sim: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const dataDir = resolve(settings["path.data"] ?? "data");
  try {
    const report = await repairDataDir(dataDir, { dryRun });
    process.stdout.write(formatRepairReport(report));
    process.exit(0);
  } catch (e) {
    process.stderr.write(`es-sim repair: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (c: string) => (text += c));
    process.stdin.on("end", () => resolvePromise(text));
    process.stdin.on("error", reject);
  });
}

/**
 * `es-sim keystore add|remove|list`: manages the secure settings of a data dir
 * (sim/security/keystore.ts). Exit 0 on success, 1 with a message naming the fix otherwise.
 */
export async function keystoreCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const positional = rest.filter((a, i) => !a.startsWith("-") && rest[i - 1] !== "-E");
  const flags = ["-x", "--stdin", "-f", "--force"];
  const fail = (m: string) => {
    process.stderr.write(`es-sim keystore: ${m}\n`);
    return 1;
  };
  try {
    const settings = parseArgs(rest.filter((a) => !positional.includes(a) && !flags.includes(a))).settings;
    const dataDir = resolve(settings["path.data"] ?? "data");
    const current = readKeystore(dataDir);
    if (command === "list") {
      process.stdout.write(
        Object.keys(current)
          .sort()
          .map((k) => `${k}\n`)
          .join(""),
      );
      return 0;
    }
    const key = positional[0];
    if (command !== "add" && command !== "remove") return fail(`unknown command [${command ?? ""}]; use add, remove or list`);
    if (!key) return fail(`${command} needs a setting name, e.g. cluster.remote.<alias>.credentials`);
    if (command === "remove") {
      if (!(key in current)) return fail(`Setting [${key}] does not exist in the keystore.`);
      delete current[key];
      writeKeystore(dataDir, current);
      return 0;
    }
    if (!isSecureSetting(key)) return fail(`unknown secure setting [${key}]; es-sim knows cluster.remote.<alias>.credentials`);
    const value = (await readStdin()).replace(/\r?\n$/, "");
    if (value === "") return fail(`no value for [${key}] on stdin`);
    current[key] = value;
    writeKeystore(dataDir, current);
    process.stderr.write(
      `es-sim keystore: [${key}] stored in ${keystorePath(dataDir)}; apply it with POST /_nodes/reload_secure_settings or a restart\n`,
    );
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** Runs the process. */
export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "repair") return repairCommand(argv.slice(1));
  if (argv[0] === "keystore") {
    process.exitCode = await keystoreCommand(argv.slice(1));
    return;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`es-sim: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  const s = parsed.settings;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let sim: Sim;
  try {
    if (s["discovery.type"] !== undefined && s["discovery.type"] !== "single-node") {
      throw new UsageError(`discovery.type [${s["discovery.type"]}] is not supported; es-sim is always a single-node cluster`);
    }
    const securityEnabled = s["xpack.security.enabled"] !== undefined && parseBool("xpack.security.enabled", s["xpack.security.enabled"]);
    if (securityEnabled && !process.env.ELASTIC_PASSWORD) {
      throw new UsageError("xpack.security.enabled=true needs the elastic user's password in ELASTIC_PASSWORD");
    }
    const dataDir = resolve(s["path.data"] ?? "data");
    const nodeSettings: Record<string, string> = {};
    for (const k of NODE_SETTINGS.map((d) => d.key)) {
      if ((k.startsWith("action.") || k.startsWith("cluster.routing.") || k.startsWith("cluster.info.")) && s[k] !== undefined)
        nodeSettings[k] = s[k]!;
    }
    for (const [k, v] of Object.entries(s)) if (NODE_SETTING_PREFIXES.some((p) => k.startsWith(p))) nodeSettings[k] = v;
    sim = await startSim({
      dataDir,
      clusterName: s["cluster.name"],
      nodeName: s["node.name"],
      host: host(s["network.host"]),
      httpHost: host(s["http.host"]),
      transportHost: host(s["transport.host"]),
      httpPort: port("http.port", s["http.port"], 9200),
      transportPort: port("transport.port", s["transport.port"], 9300),
      maxContentLength: s["http.max_content_length"] ? parseByteSize("http.max_content_length", s["http.max_content_length"]) : undefined,
      inFlight: inFlightSettings(s),
      security: securityEnabled ? { enabled: true, password: process.env.ELASTIC_PASSWORD } : undefined,
      nodeSettings,
      startupSettings: { ...s, "path.data": dataDir },
      log,
      onFatal: (e) => {
        log(`[es-sim] fatal storage error, stopping: ${(e as Error)?.stack ?? String(e)}`);
        process.exit(1);
      },
    });
    process.stdout.write(
      `${JSON.stringify({
        "es-sim": "started",
        http: sim.url,
        transport: sim.transportAddress,
        cluster_name: sim.cluster.clusterName,
        node_name: sim.cluster.nodeName,
        cluster_uuid: sim.cluster.clusterUuid,
        pid: process.pid,
        path_data: dataDir,
      })}\n`,
    );
    log(`[es-sim] [${sim.cluster.nodeName}] started: http ${sim.url}, transport ${sim.transportAddress}, path.data ${dataDir}`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg = err.code === "EADDRINUSE" ? `failed to bind: ${err.message}` : (err.message ?? String(e));
    log(`es-sim: failed to start: ${msg}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`[es-sim] ${signal} received, stopping`);
    sim.close().then(
      () => process.exit(0),
      (e) => {
        log(`[es-sim] error while stopping: ${(e as Error)?.stack ?? String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("uncaughtException", (e) => log(`[es-sim] uncaught exception: ${e.stack ?? String(e)}`));
  process.on("unhandledRejection", (e) => log(`[es-sim] unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
}

if (require.main === module || process.env.ES_SIM_MAIN === "1") {
  void main(process.argv.slice(2));
}
