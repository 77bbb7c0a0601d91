/**
 * stack/stackTraces.ts: the SDK's per-promise traces skip the installed formatter (source-map-support
 * in the program), every other trace still goes through it.
 */
// @internal in the SDK (absent from its typings), hence the require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T>;
};

describe("plain traces for the SDK's promise bookkeeping", () => {
  const original = Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  test("debuggablePromise's trace is formatted without the installed formatter; other traces with it", () => {
    let formatted = 0;
    Error.prepareStackTrace = (error, frames) => {
      formatted++;
      return `mapped ${String(error)} (${frames.length} frames)`;
    };
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("../../../stack/stackTraces");
    });

    // The trace is kept on the promise handed in (for the leak report at exit).
    const p = Promise.resolve(1);
    void debuggablePromise(p, "a test promise");
    const trace = (p as unknown as { _debugStackTrace: string })._debugStackTrace;
    expect(formatted).toBe(0);
    expect(trace).toMatch(/^Error\n {4}at debuggablePromise \(.*runtime[/\\]debuggable\.js:\d+:\d+\)/);

    expect(new Error("boom").stack).toMatch(/^mapped Error: boom \(\d+ frames\)$/);
    expect(formatted).toBe(1);
  });

  test("installing twice wraps once", () => {
    const calls: string[] = [];
    Error.prepareStackTrace = (error) => (calls.push(String(error)), "x");
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { plainPromiseTraces } = require("../../../stack/stackTraces") as typeof import("../../../stack/stackTraces");
      plainPromiseTraces();
    });
    expect(new Error("once").stack).toBe("x");
    expect(calls).toEqual(["Error: once"]);
  });
});
