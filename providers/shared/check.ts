/**
 * Input validation shared by the providers' `check`. Every validator appends to a list of
 * failures instead of throwing, so that `pulumi preview` reports every problem at once, before
 * anything is sent to a cluster.
 */

/** One problem with one input property (the dynamic provider's `CheckFailure`). */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** The value Pulumi substitutes for not-yet-known inputs during preview (`runtime/rpc.js unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether `v` is, or contains, a value that is unknown during preview. */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (typeof v === "object" && v !== null) return Object.values(v as Record<string, unknown>).some(isUnknown);
  return false;
}

/** Collects failures; each method validates one kind of value and skips unknowns. */
export class Failures {
  readonly list: CheckFailure[] = [];

  add(property: string, reason: string): void {
    this.list.push({ property, reason });
  }

  /** A required non-empty string. Returns whether it is a usable known string. */
  requireString(property: string, v: unknown): v is string {
    if (v === UNKNOWN) return false;
    if (typeof v !== "string" || v.length === 0) {
      this.add(property, `${property} is required and must be a non-empty string.`);
      return false;
    }
    return true;
  }

  /** An optional string. */
  optionalString(property: string, v: unknown): void {
    if (v === undefined || v === null || v === UNKNOWN) return;
    if (typeof v !== "string") this.add(property, `${property} must be a string.`);
  }

  /** An optional integer within bounds. */
  optionalInteger(property: string, v: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): void {
    if (v === undefined || v === null || v === UNKNOWN) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.add(property, `${property} must be an integer from ${min} to ${max}; got ${JSON.stringify(v)}.`);
    }
  }

  /** An optional boolean. */
  optionalBoolean(property: string, v: unknown): void {
    if (v === undefined || v === null || v === UNKNOWN) return;
    if (typeof v !== "boolean") this.add(property, `${property} must be true or false; got ${JSON.stringify(v)}.`);
  }

  /** An optional value from a fixed set. */
  optionalEnum(property: string, v: unknown, allowed: readonly string[]): void {
    if (v === undefined || v === null || v === UNKNOWN) return;
    if (typeof v !== "string" || !allowed.includes(v)) {
      this.add(property, `${property} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}; got ${JSON.stringify(v)}.`);
    }
  }

  /** An Elasticsearch index name (the rules of `MetadataCreateIndexService.validateIndexOrAliasName`). */
  indexName(property: string, v: unknown): void {
    if (!this.requireString(property, v)) return;
    const problem = indexNameProblem(v);
    if (problem) this.add(property, `${property} "${v}" is not a valid index name: ${problem}.`);
  }

  /** A remote-cluster alias. */
  alias(property: string, v: unknown): void {
    if (!this.requireString(property, v)) return;
    if (!ALIAS.test(v)) {
      this.add(
        property,
        `${property} "${v}" is not a valid remote cluster alias: use letters, digits, "_" and "-", starting with a letter or digit (it becomes part of the setting key cluster.remote.<alias>.*).`,
      );
    }
  }

  /** A `host:port` address as ES's remote-cluster settings require. */
  hostPort(property: string, v: unknown): void {
    if (!this.requireString(property, v)) return;
    const problem = hostPortProblem(v);
    if (problem) this.add(property, `${property} "${v}" is not a host:port address: ${problem}.`);
  }
}

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Why `name` is not a valid index name, or `undefined`. */
export function indexNameProblem(name: string): string | undefined {
  if (name === "." || name === "..") return 'it must not be "." or ".."';
  if (name !== name.toLowerCase()) return "it must be lowercase";
  if (/^[-_+]/.test(name)) return 'it must not start with "-", "_" or "+"';
  const bad = /[\\/*?"<>| ,#:]/.exec(name);
  if (bad) return `it must not contain ${JSON.stringify(bad[0])}`;
  if (Buffer.byteLength(name, "utf8") > 255) return "it must be at most 255 bytes";
  return undefined;
}

/** Why `v` is not a `host:port`, or `undefined`. */
export function hostPortProblem(v: string): string | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):(\d+)$/.exec(v);
  if (!m) return "expected host:port (IPv6 as [addr]:port)";
  const host = m[1]!;
  if (!host.startsWith("[") && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return `invalid host "${host}"`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port must be from 1 to 65535, got ${port}`;
  return undefined;
}
