/**
 * Polling for asynchronous outcomes (replication, promotion) with a bound, never a fixed sleep —
 * and stoppable: an aborted signal (Ctrl-C) ends any wait at once, in-flight request included.
 */

/** How often `until` looks again. */
const POLL_MS = 100;

/** Thrown when a wait is stopped by its signal. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
  constructor(what: string) {
    super(`interrupted while waiting for ${what}`);
  }
}

/** Resolves after `ms`, or rejects with {@link Interrupted} as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, what = "the next poll"): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted(what));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted(what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `p`, or {@link Interrupted} as soon as `signal` aborts (the request itself is left to its own timeout). */
export function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Interrupted(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(what));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e as Error);
      },
    );
  });
}

/**
 * A progress log that lets a line through at most once per `everyMs`: a poll every 200 ms must
 * not print five lines a second.
 */
export function throttled(log: (line: string) => void, everyMs = 1000): (line: string) => void {
  let last = -Infinity;
  return (line) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    log(line);
  };
}

/**
 * Calls `f` until it returns something other than `undefined` and returns that; errors thrown by
 * `f` count as "not yet". Past `timeoutMs` it throws, naming `what` and the last error; when
 * `signal` aborts it throws {@link Interrupted} at once.
 */
export async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await unlessAborted(f(), signal, what);
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(POLL_MS, signal, what);
  }
}
