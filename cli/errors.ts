/**
 * The CLI's one error root: every failure the `ccr-dr` command reports carries its exit code
 * (documented in docs/cli.md for pipelines).
 */

/** Exit codes of `ccr-dr`. */
export const EXIT = {
  ok: 0,
  /** An operation failed (Pulumi or Elasticsearch error); the message says which and why. */
  failed: 1,
  /** Bad command line or configuration. */
  usage: 2,
  /** A destructive command was not confirmed (no `--yes` off a TTY, or answered no). */
  refused: 3,
  /** A switchover aborted safely: nothing was promoted, the fence was lifted. */
  aborted: 4,
  /** The drill ran but its verdict is fail. */
  drillFailed: 5,
  /** A saved plan no longer matches reality; run `ccr-dr plan` again. */
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
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
  }
}
