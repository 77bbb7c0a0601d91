/** Diff helpers shared by the providers' `diff`. */
import { isUnknown } from "./check";
import { deepEqual } from "./util";

/** The reserved input holding the provider's serialized code (pulumi-facts §A2). */
export const PROVIDER_KEY = "__provider";

/**
 * The input keys whose values differ between the old outputs and the new inputs. Unknown new
 * values (preview) count as changed. `__provider` is compared too: a new provider code is an
 * update with no Elasticsearch call, which stores the new code so that the `delete` and `read`
 * that run later (with the code from the state, pulumi-facts §A2) are the current ones.
 */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
    const out: string[] = [];
    for (const k of [...keys, PROVIDER_KEY]) {
        const n = news[k];
        if (isUnknown(n) || !deepEqual(olds[k], n)) out.push(k);
    }
    return out;
}
