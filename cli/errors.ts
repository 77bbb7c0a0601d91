/**
 * The CLI's one error root: every failure the `ccr-dr` command reports carries its exit code
 * (documented in docs/cli.md for pipelines), one line saying what failed, where and the fix, an
 * optional hint, and — shown only with `--verbose` — the raw output it was made from.
 */

/** Exit codes of `ccr-dr`. */
export const EXIT = {
  ok: 0,
  /** An operation failed (Pulumi or Elasticsearch error); the message says which and why. */
  failed: 1,
  /** Bad command line or configuration (a stack file that does not parse, an invalid `ccr-dr:*` key). */
  usage: 2,
  /** A destructive command was not confirmed (no `--yes` off a TTY, or answered no). */
  refused: 3,
  /** A switchover aborted safely: nothing was promoted, the fence was lifted. */
  aborted: 4,
  /** The drill ran but its verdict is fail. */
  drillFailed: 5,
  /** A saved plan no longer matches reality or is too old; run `ccr-dr plan` again. */
  planStale: 6,
  /**
   * An unplanned failover was refused: the old primary answers and its indices take writes (two
   * writable leaders). Nothing was changed; use `switchover`, or `failover --force`.
   */
  splitBrain: 7,
  /** `status`: a follower is behind beyond the budget (`--max-lag-ops`, `--max-lag-seconds`) or paused. */
  lagging: 10,
  /** `status`: replication is broken (read failures, fatal exception, remote not connected, fence). */
  broken: 11,
  /** `status`: a cluster could not be read, so health is unknown. */
  unreachable: 12,
  /** Interrupted (Ctrl-C / SIGINT): the wait stopped, the fence this run set was lifted. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliErrorOptions {
  cause?: unknown;
  /** Further lines for the operator (what changed, what state each stack is in, what to run). */
  hint?: string;
  /** Raw output the message was extracted from (Pulumi's), printed only with `--verbose`. */
  detail?: string;
  /** The message already says the state everything was left in (an abort that undid its changes). */
  selfContained?: boolean;
}

export class CliError extends Error {
  override readonly name = "CliError";
  readonly hint: string | undefined;
  readonly detail: string | undefined;
  readonly selfContained: boolean;
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: CliErrorOptions,
  ) {
    super(message);
    this.hint = options?.hint;
    this.detail = options?.detail;
    this.selfContained = options?.selfContained === true;
    if (options?.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
  }
}

/** ANSI escape sequences (SGR colours, cursor moves) as terminals read them. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** What an Automation API failure (a `CommandError`'s message: Pulumi's stdout and stderr) says. */
export interface PulumiFailure {
  /** The one meaningful line: a provider's error, prefixed by its resource, or Pulumi's own `error:`. */
  message: string;
  /** The stack file or its configuration is invalid: a configuration error (exit 2), not a failed operation. */
  badConfiguration: boolean;
  /** Pulumi refused because a resource differs from the saved update plan. */
  planViolation: boolean;
  /** The update was cancelled (SIGINT). */
  cancelled: boolean;
}

/** Resource headers in Pulumi's "Diagnostics:" section: `  <type> (<name>):`. */
const DIAGNOSTIC_HEADER = /^ {2}(\S+) \((.+)\):$/;

/**
 * The meaningful error of a failed Pulumi command, from its captured output: the first `error:`
 * of a resource in the "Diagnostics:" section (a provider's message, which names cluster, index,
 * step and fix), else the program's own error, else Pulumi's `error:` line (a stack file that does
 * not parse, a lock, a cancelled update), else the first non-empty line. The Automation API's
 * message repeats stdout and stderr (and the command line), so the whole of it is 70+ lines.
 */
export function pulumiFailure(raw: string): PulumiFailure {
  const text = stripAnsi(raw);
  const lines = text.split("\n");
  let message: string | undefined;
  let stackMessage: string | undefined;
  const diagnostics = lines.indexOf("Diagnostics:");
  if (diagnostics >= 0) {
    let resource: { type: string; name: string } | undefined;
    // The severity of the diagnostic the line belongs to: the program logs the preview's lines as
    // warnings ("warning: failover: PROMOTE …", stack/transition.ts), which are not the failure.
    let severity: string | undefined;
    for (const line of lines.slice(diagnostics + 1)) {
      if (/^\S/.test(line)) break; // the next section (Outputs:, Resources:)
      const header = DIAGNOSTIC_HEADER.exec(line);
      if (header) {
        resource = { type: header[1]!, name: header[2]! };
        severity = undefined;
        continue;
      }
      const body = line.trim();
      severity = /^(error|warning|info|debug): /.exec(body)?.[1] ?? severity;
      if (!resource || body === "" || body.startsWith("at ") || (severity !== undefined && severity !== "error")) continue;
      const error = /^error: (.*)$/.exec(body)?.[1];
      if (resource.type === "pulumi:pulumi:Stack") {
        // The program's own failure ("EsCallError: …"), unless it only says the update failed.
        if (!stackMessage && body !== "error: update failed") stackMessage = (error ?? body).replace(/^(\w*Error): /, "");
        continue;
      }
      if (error !== undefined && !message) {
        const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
        message = `${kind} ${resource.name}: ${error}`;
      }
    }
  }
  message ??= stackMessage;
  message ??= lines.map((l) => /^\s*error: (.*)$/.exec(l)?.[1]).find((m) => m !== undefined && m !== "update failed");
  message ??= lines.map((l) => l.trim()).find((l) => l !== "" && !/^(code|stdout|stderr|err\?):/.test(l)) ?? "pulumi failed";
  return {
    message: message.trim(),
    badConfiguration: /invalid YAML file|validating stack config|could not parse|invalid ccr-dr configuration|ConfigError/i.test(message),
    planViolation: /violates plan/.test(text),
    cancelled: /update canceled|received; cancelling|context canceled/i.test(text),
  };
}
