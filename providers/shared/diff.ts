/** Diff helpers shared by the providers' `diff`. */
import { providerNameOf } from "../registry";
import { isUnknown } from "./check";
import { deepEqual } from "./util";

/** The reserved input holding the provider code (shared/providerCode.ts). */
export const PROVIDER_KEY = "__provider";

/**
 * The input keys whose values differ between the old outputs and the new inputs. Unknown new
 * values (preview) count as changed. `__provider` is compared too, by the kind it names
 * (providers/registry.ts): the old file-path form and the current form of the same kind are equal,
 * so an upgrade shows no change (the old form keeps working through the registry's legacy map);
 * any other new provider code (e.g. the serialized code of older state) is an update with no
 * Elasticsearch call, which stores the current code for the `delete` and `read` that run later
 * from the state (docs/providers.md, "Provider code").
 */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of [...keys, PROVIDER_KEY]) {
    const n = news[k];
    if (isUnknown(n) || !(deepEqual(olds[k], n) || (k === PROVIDER_KEY && sameProvider(olds[k], n)))) out.push(k);
  }
  return out;
}

/** Both `__provider` texts name the same kind (in either format). */
function sameProvider(old: unknown, now: unknown): boolean {
  const name = providerNameOf(now);
  return name !== undefined && providerNameOf(old) === name;
}
