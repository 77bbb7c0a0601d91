/**
 * The one error root of the provider boundary (docs/providers.md, "Rules kept"). Planners throw it to refuse a
 * transition; executors throw it when a step fails, wrapping the {@link EsCallError} cause and
 * saying which steps were already done, so that the user knows a re-run continues from there.
 */

/** Why a provider refused or failed. */
export type ProviderErrorCode =
  /** An index with the follower's name exists and is not a follower; failback was not enabled. */
  | "index_exists"
  /** The index follows a different leader than requested. */
  | "follows_other_leader"
  /** Failback refused: the new leader's promotion record does not prove it came from here. */
  | "lineage_refused"
  /** A planned step failed. */
  | "step_failed"
  /** A bounded wait ran out. */
  | "timeout"
  /** Copying divergent documents into the quarantine index failed. */
  | "quarantine_failed"
  /** A data stream to promote has no index template to roll over with on this cluster. */
  | "data_stream_template_missing";

/** A refusal or failure of a ccr-dr resource operation. */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, message: string, cause?: unknown) {
    super(message);
    this.code = code;
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, enumerable: false });
  }

  override toString(): string {
    return `${this.name}: ${this.message}`;
  }
}

/**
 * The text of anything thrown: its `message` when it has one (an Error, or an error-like object
 * from another realm, which `instanceof Error` would miss), else its string form.
 */
export function messageOf(err: unknown): string {
  const m = (err as { message?: unknown } | null | undefined)?.message;
  return typeof m === "string" ? m : String(err);
}
