/**
 * The one error root of the provider boundary (aesthetics rule 3). Planners throw it to refuse a
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
    | "quarantine_failed";

/** A refusal or failure of a ccr-dr resource operation. */
export class ProviderError extends Error {
    override readonly name = "ProviderError";
    readonly code: ProviderErrorCode;

    constructor(code: ProviderErrorCode, message: string, cause?: unknown) {
        super(message);
        // Pulumi serializes provider code by value and turns classes into functions whose
        // constructor runs `Error.call(this, message)`, which sets nothing on `this`: without
        // this line the engine would report "error: undefined" (it reads `e.message`).
        this.message = message;
        this.code = code;
        // The same serialization leaves `stack` unset and `${e}` as "[object Object]"; the dynamic
        // provider host logs `${e}: ${e.stack}` for every failed create/update/delete, which showed
        // "[object Object]: undefined" in every failed `pulumi up` (test/integration/faults.crash.test.ts).
        if (this.stack === undefined) this.stack = `${this.name}: ${message}`;
        if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, enumerable: false });
    }

    override toString(): string {
        return `${this.name}: ${this.message}`;
    }
}

/**
 * The text of anything thrown. Not `err instanceof Error ? err.message : String(err)`: in the
 * dynamic-provider process the serialized EsCallError/ProviderError classes are plain functions,
 * so their instances are not `Error`s, and that idiom dropped the cause of every failed step as
 * "[object Object]" (found by test/integration/faults.crash.test.ts).
 */
export function messageOf(err: unknown): string {
    const m = (err as { message?: unknown } | null | undefined)?.message;
    return typeof m === "string" ? m : String(err);
}
