/**
 * `ccr-dr <command>`: argument parsing, confirmation, printing and exit codes — nothing else; the
 * operations live in operations.ts (also the typed API for TypeScript pipelines).
 */
import { parseArgs } from "node:util";
import { createInterface } from "node:readline/promises";
import { CLUSTER_NAMES, type ClusterName, ConfigError } from "../stack/config";
import { doctor, printDoctor } from "./doctor/doctor";
import { drill, drillTable, type DrillReport, type Scenario, SCENARIOS } from "./drill/drill";
import { CliError, EXIT, pulumiFailure, stripAnsi } from "./errors";
import { failback, failover, plan, switchover, type Log } from "./operations";
import { statusCommand } from "./health/command";
import { renderRpo } from "./health/rpo";
import { DEFAULT_PLAN_MAX_AGE_MS, formatAge, parseDuration } from "./planBinding";
import type { WorkspaceOptions } from "./workspace";

const USAGE = `usage: ccr-dr <command> [options]

commands:
  status                    per follower: healthy, lagging, broken or unknown, and why; lag, failback window, fences
  metrics                   the same as status --format prometheus
  plan --to <cluster>       preview both site stacks with <cluster> as primary; saves update plans
  failover --to <cluster>   unplanned: promote <cluster>; touches only that site (the other may be down)
  failback [--to <cluster>] the old primary is back: make it follow the primary (<cluster>, default: current)
  switchover --to <cluster> planned, both up: fence, wait for catch-up, promote, re-follow; no write lost
  doctor                    check the stack files agree, each remote is reachable from its peer, the credentials' privileges
  drill                     the seed tutorial end to end on an embedded es-sim pair, with RTO/RPO
                            (--scenario data-stream: a data stream under writes, auto-followed, failed over and back)

options:
  --json                    machine-readable output (schemas: docs/cli.md)
  --format <text|json|prometheus>  status: output format (--json = --format json)
  --max-lag-ops <n>         status: a follower further behind is lagging (default 1000)
  --max-lag-seconds <s>     status: likewise in seconds, where the leader's documents date it (default 60)
  --yes                     do not ask for confirmation (required when not on a TTY)
  --no-plan                 failover/failback: ignore a plan saved by \`ccr-dr plan\`
  --force                   failover: the old primary still answers and takes writes; fence it (write block
                            through its own connection) and promote anyway, instead of refusing (exit 7)
  --plan-max-age <duration> failover/failback: refuse a saved plan older than this (30s, 10m, 1h; default ${formatAge(DEFAULT_PLAN_MAX_AGE_MS)})
  --timeout <seconds>       switchover: how long to wait for the target to catch up (default 60)
  --keep                    drill: keep data dirs, state backend and staged program
  --scenario <name>         drill: ${SCENARIOS.join(" or ")} (default tutorial)
  --documents <n>           drill: orders to load (default 4675); data-stream: documents appended on clusterA before the kill (default 1000)
  --work-dir <dir>          the Pulumi program (default: this repository)
  --stack-a <name>          stack of clusterA (default dr-a); --stack-b likewise (default dr-b)
  --verbose                 on failure, also print Pulumi's raw output
  clusters: ${CLUSTER_NAMES.join(", ")}
exit codes: 0 ok, 1 failed, 2 usage, 3 not confirmed, 4 switchover aborted, 5 drill failed, 6 saved plan stale, 7 failover refused (split brain), 130 interrupted
  status: 0 only when all is healthy, 10 lagging, 11 broken, 12 unreachable (health unknown)`;

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
const colours = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env["NO_COLOR"];
const paint = (code: number, s: string) => (colours(process.stdout) ? `\u001b[${code}m${s}\u001b[0m` : s);
const started = Date.now();
const progress: Log = (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

function cluster(v: string | undefined, flag = "--to"): ClusterName {
  if (v === undefined) throw new CliError(EXIT.usage, `${flag} is required: one of ${CLUSTER_NAMES.join(", ")}`);
  if (!CLUSTER_NAMES.includes(v as ClusterName))
    throw new CliError(EXIT.usage, `${flag} ${v} is not a cluster: use one of ${CLUSTER_NAMES.join(", ")}`);
  return v as ClusterName;
}

/** Destructive commands ask on a TTY and refuse without --yes elsewhere (pipelines must say so). */
async function confirm(what: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError(EXIT.refused, `refusing to ${what} without --yes (not on a TTY)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${what}? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError(EXIT.refused, `${what}: not confirmed`);
}

function printDrill(r: DrillReport): void {
  for (const line of drillTable(r, paint)) console.log(line);
}

/**
 * parseArgs throws a TypeError (ERR_PARSE_ARGS_UNKNOWN_OPTION, …_INVALID_OPTION_VALUE) for an
 * unknown option or a missing value: a bad command line, exit 2 — it used to exit 1, "an operation
 * failed" (found by test/integration/faults/badInput.test.ts).
 */
function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new CliError(EXIT.usage, `${(e as Error).message}\n${USAGE}`);
  }
}

export async function main(argv: string[], signal?: AbortSignal): Promise<number> {
  const { positionals, values } = usageErrors(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        yes: { type: "boolean", default: false },
        "no-plan": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        to: { type: "string" },
        timeout: { type: "string" },
        keep: { type: "boolean", default: false },
        documents: { type: "string" },
        scenario: { type: "string" },
        "work-dir": { type: "string" },
        "stack-a": { type: "string" },
        "stack-b": { type: "string" },
        "plan-max-age": { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        format: { type: "string" },
        "max-lag-ops": { type: "string" },
        "max-lag-seconds": { type: "string" },
      },
    }),
  );
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  if (rest.length > 0) throw new CliError(EXIT.usage, `unexpected argument ${rest[0]}\n${USAGE}`);
  const ws: WorkspaceOptions & { log: Log } = {
    ...(values["work-dir"] ? { workDir: values["work-dir"] } : {}),
    stacks: { clusterA: values["stack-a"] ?? "dr-a", clusterB: values["stack-b"] ?? "dr-b" },
    log: progress,
    ...(signal ? { signal } : {}),
  };
  const planMaxAgeMs = values["plan-max-age"] === undefined ? undefined : parseDuration(values["plan-max-age"]);
  if (values["plan-max-age"] !== undefined && planMaxAgeMs === undefined)
    throw new CliError(EXIT.usage, `--plan-max-age ${values["plan-max-age"]} must be a positive duration such as 90s, 10m or 1h`);
  const planOptions = { usePlan: !values["no-plan"], ...(planMaxAgeMs !== undefined ? { planMaxAgeMs } : {}) };
  const out = (v: unknown, human: () => void) => (values.json ? console.log(JSON.stringify(v, null, 2)) : human());
  switch (command) {
    case "status":
    case "metrics":
      return statusCommand(ws, {
        format: command === "metrics" ? "prometheus" : values.json ? "json" : values.format,
        maxLagOps: values["max-lag-ops"],
        maxLagSeconds: values["max-lag-seconds"],
        paint,
      });
    case "plan": {
      const r = await plan(cluster(values.to), ws);
      out(r, () => {
        for (const s of r.sites) {
          console.log(`${s.site}:`);
          for (const o of s.operations) console.log(`  - ${o.words}`);
          if (s.operations.length === 0) console.log("  - no change");
          for (const line of s.preview) console.log(`  ! ${line}`);
        }
        for (const u of r.unplanned ?? []) console.log(`${u.site}: not planned: stack ${u.stack} could not be read: ${u.error}`);
        for (const line of renderRpo(r.rpo)) console.log(line);
      });
      return EXIT.ok;
    }
    case "failover": {
      const to = cluster(values.to);
      await confirm(`fail over to ${to} (promote its followers)`, values.yes);
      const r = await failover(to, { ...ws, ...planOptions, force: values.force });
      out(r, () => console.log(`failover to ${to} done in ${(r.rtoMs / 1000).toFixed(1)} s`));
      return EXIT.ok;
    }
    case "failback": {
      const to = values.to === undefined ? undefined : cluster(values.to);
      await confirm(
        `fail back (the old primary follows ${to ?? "the current primary"}; stale data is quarantined and replaced)`,
        values.yes,
      );
      const r = await failback({ ...ws, ...(to ? { to } : {}), ...planOptions });
      out(r, () => console.log(`failback done: ${r.run.site} follows ${r.primary}`));
      return EXIT.ok;
    }
    case "switchover": {
      const to = cluster(values.to);
      const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
      if (timeoutMs !== undefined && !(timeoutMs > 0))
        throw new CliError(EXIT.usage, `--timeout ${values.timeout} must be a positive number of seconds`);
      await confirm(`switch over to ${to} (fence the primary, wait, promote, re-follow)`, values.yes);
      const r = await switchover(to, { ...ws, ...(timeoutMs ? { timeoutMs } : {}) });
      out(r, () =>
        console.log(
          `switchover ${r.from} → ${r.to} done; writes unavailable for ${(r.writeUnavailableMs / 1000).toFixed(1)} s, RPO ${r.rpoOperations}`,
        ),
      );
      return EXIT.ok;
    }
    case "drill": {
      const documents = values.documents === undefined ? undefined : Number(values.documents);
      if (documents !== undefined && !(Number.isInteger(documents) && documents > 0))
        throw new CliError(EXIT.usage, `--documents ${values.documents} must be a positive integer`);
      const scenario = values.scenario ?? "tutorial";
      if (!SCENARIOS.includes(scenario as Scenario))
        throw new CliError(EXIT.usage, `--scenario ${scenario} is not a drill scenario: use one of ${SCENARIOS.join(", ")}`);
      const r = await drill({
        log: progress,
        keep: values.keep,
        scenario: scenario as Scenario,
        ...(documents ? { documents } : {}),
        ...(signal ? { signal } : {}),
      });
      out(r, () => printDrill(r));
      return r.verdict === "pass" ? EXIT.ok : EXIT.drillFailed;
    }
    case "doctor": {
      const r = await doctor(ws);
      out(r, () => printDoctor(r));
      return r.exitCode;
    }
    default:
      throw new CliError(EXIT.usage, `unknown command ${command}\n${USAGE}`);
  }
}

/**
 * Any failure as a CliError: a configuration that does not parse is bad configuration (exit 2);
 * an Automation API error (Pulumi's whole output) is reduced to its meaningful line, the output
 * kept for `--verbose`.
 */
export function asCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigError) return new CliError(EXIT.usage, `invalid ccr-dr configuration: ${e.problems.join("; ")}`, { cause: e });
  const raw = e instanceof Error ? e.message : String(e);
  if (/^code: -?\d+\n/.test(raw) || /\n stderr: /.test(raw)) {
    const f = pulumiFailure(raw);
    return new CliError(f.badConfiguration ? EXIT.usage : EXIT.failed, `pulumi failed: ${f.message}`, { cause: e, detail: raw });
  }
  return new CliError(EXIT.failed, raw, { cause: e });
}

/**
 * The failure as the operator reads it: `ccr-dr: <what failed, where, the fix>`, the hint lines,
 * and Pulumi's raw output only with --verbose. No colour codes off a terminal.
 */
export function errorText(err: CliError, verbose: boolean, colour: boolean): string {
  const lines = [`ccr-dr: ${err.message}`];
  if (err.hint) lines.push(...err.hint.split("\n").map((l) => `  ${l}`));
  if (verbose && err.detail) lines.push("--- pulumi output (--verbose) ---", err.detail.trimEnd());
  else if (err.detail) lines.push("  (--verbose shows Pulumi's output)");
  const text = lines.join("\n") + "\n";
  return colour ? text : stripAnsi(text);
}

/** Process entry (bin/ccr-dr): runs `main` and exits with its code. */
export function run(argv: string[]): void {
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    // The first Ctrl-C cancels gracefully: Pulumi gets SIGINT and stops at a safe point, a wait
    // stops at once and a switchover lifts its fence, the drill stops its clusters; a second one
    // exits at once. Re-running the command finishes the job.
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    progress("interrupted: cancelling the current step and cleaning up (Ctrl-C again to exit now)");
    interrupt.abort();
  });
  main(argv, interrupt.signal).then(
    (code) => process.exit(interrupt.signal.aborted ? EXIT.interrupted : code),
    (e: unknown) => {
      const err = asCliError(e);
      if (argv.includes("--json"))
        console.log(JSON.stringify({ error: err.message, exitCode: err.exitCode, ...(err.hint ? { hint: err.hint } : {}) }));
      process.stderr.write(errorText(err, argv.includes("--verbose"), colours(process.stderr)));
      process.exit(interrupt.signal.aborted ? EXIT.interrupted : err.exitCode);
    },
  );
}
