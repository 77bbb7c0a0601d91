/** Small pure helpers shared by the providers (no module state). */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** JSON with object keys sorted, `undefined` members dropped: equal values give equal text. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(sortKeys(v)) ?? "undefined";
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const val = (v as Record<string, unknown>)[k];
      if (val !== undefined) out[k] = sortKeys(val);
    }
    return out;
  }
  return v;
}

/** Structural equality of JSON-like values (`undefined` members ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

/** Drops `undefined` members (Pulumi state cannot hold them and diffs must not see them). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Things the providers do that tests replace: the clock, waiting, warnings. */
export interface Runtime {
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** A warning shown to the person running `pulumi up`. */
  warn(message: string): void;
}

/**
 * The real runtime. Warnings go through `pulumi.log.warn` (`@pulumi/pulumi/log`), required lazily. In the dynamic
 * provider process the SDK has no engine connection (cmd/dynamic-provider never sets
 * `PULUMI_NODEJS_ENGINE`), so `log.warn` falls back to `console.warn("warning: [runtime] …")`
 * on stderr, which the engine relays as a diagnostic of the update. The same warnings are
 * also returned in the resources' `warnings` output, which is what tests and the CLI read.
 */
export function defaultRuntime(): Runtime {
  return {
    now: () => new Date(),
    sleep,
    warn: (message: string) => {
      try {
        // The log module, not the package index (which loads the Automation API and TypeScript).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");
        void log.warn(message);
      } catch {
        // Logging must never fail an operation.
      }
    },
  };
}
