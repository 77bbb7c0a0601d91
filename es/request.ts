/**
 * The single wrapper every typed call goes through: it binds the call to its cluster, index and
 * rest-api-spec operation name so that a failure becomes an {@link EsCallError} saying all three.
 */
import type { Client } from "@elastic/elasticsearch";
import type { Es } from "./connection";
import { EsCallError, type EsCondition, toEsCallError } from "./errors";

/** Runs one client call; any failure is rethrown as an {@link EsCallError}. */
export async function call<T>(es: Es, operation: string, index: string | undefined, fn: (client: Client) => Promise<T>): Promise<T> {
  try {
    return await fn(es.client);
  } catch (err) {
    throw toEsCallError(err, { cluster: es.cluster, operation, ...(index === undefined ? {} : { index }), secrets: es.secrets });
  }
}

/**
 * Runs a read; answers `undefined` when the server reports one of `absent` (by default: the
 * index does not exist). Absent is a value, not an error (docs/providers.md, "Rules kept").
 */
export async function readOrUndefined<T>(
  es: Es,
  operation: string,
  index: string | undefined,
  fn: (client: Client) => Promise<T>,
  absent: readonly EsCondition[] = ["index_not_found"],
): Promise<T | undefined> {
  try {
    return await call(es, operation, index, fn);
  } catch (err) {
    if (err instanceof EsCallError && err.condition !== undefined && absent.includes(err.condition)) return undefined;
    throw err;
  }
}

/** Outcome of a teardown-style call: "already done" is a success, not an error. */
export type StepOutcome = "done" | "already-done";

/** Runs a state change; answers `"already-done"` when the server says the target state holds. */
export async function change(
  es: Es,
  operation: string,
  index: string | undefined,
  fn: (client: Client) => Promise<unknown>,
  alreadyDone: readonly EsCondition[],
): Promise<StepOutcome> {
  try {
    await call(es, operation, index, fn);
    return "done";
  } catch (err) {
    if (err instanceof EsCallError && err.condition !== undefined && alreadyDone.includes(err.condition)) return "already-done";
    throw err;
  }
}
