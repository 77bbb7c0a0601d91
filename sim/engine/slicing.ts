/**
 * How long-running engine work shares the node's one JavaScript thread. Elasticsearch runs a
 * refresh on its `refresh` thread pool while the `search` and `write` pools keep answering; es-sim
 * has one thread, so the process (`sim/index.ts`) gives the engine a slicer: such work runs in
 * slices of bounded time and pauses between them, and the event loop answers requests (and runs
 * other indices' work) meanwhile. The engine decides where work may be cut (between documents, on
 * state that searches do not see); the slicer decides how long a slice is and how to yield.
 */

/** Cuts engine work into slices. */
export interface WorkSlicer {
  /** Starts a slice: the returned function says whether the slice has used its time. */
  slice(): () => boolean;
  /** Resolves after whatever else is ready on the node has had its turn. */
  pause(): Promise<void>;
}

/** No slicing: the work runs to its end in one step (engine unit tests that drive time themselves). */
export const UNSLICED: WorkSlicer = {
  slice: () => () => false,
  pause: () => Promise.resolve(),
};

/**
 * Slices of `sliceMs` on a monotonic clock; a pause goes through `setImmediate`, i.e. after the
 * I/O callbacks that are ready (requests that arrived meanwhile), not only after other promises.
 */
export function timeSlices(sliceMs: number, clock: () => number = () => performance.now()): WorkSlicer {
  return {
    slice: () => {
      const end = clock() + sliceMs;
      return () => clock() >= end;
    },
    pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
  };
}
