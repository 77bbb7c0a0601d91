/** Polling for asynchronous outcomes (replication, promotion) with a bound, never a fixed sleep. */

/** How often `until` looks again. */
const POLL_MS = 100;

/**
 * Calls `f` until it returns something other than `undefined` and returns that; errors thrown by
 * `f` count as "not yet". Past `timeoutMs` it throws, naming `what` and the last error.
 */
export async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
