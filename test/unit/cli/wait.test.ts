/** cli/wait.ts: waits stop at once on abort (Ctrl-C); progress lines are throttled. */
import { Interrupted, sleep, throttled, unlessAborted, until } from "../../../cli/wait";

test("sleep rejects with Interrupted as soon as the signal aborts", async () => {
  const ac = new AbortController();
  const started = Date.now();
  const p = sleep(60_000, ac.signal);
  setTimeout(() => ac.abort(), 20);
  await expect(p).rejects.toBeInstanceOf(Interrupted);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test("until stops waiting on abort even while its probe hangs", async () => {
  const ac = new AbortController();
  const p = until("never", () => new Promise<undefined>(() => {}), 60_000, ac.signal);
  setTimeout(() => ac.abort(), 20);
  await expect(p).rejects.toThrow("interrupted while waiting for never");
});

test("until returns the probe's value, and an aborted signal is refused up front", async () => {
  let n = 0;
  expect(await until("three", async () => (++n === 3 ? n : undefined), 5_000)).toBe(3);
  const ac = new AbortController();
  ac.abort();
  await expect(unlessAborted(Promise.resolve(1), ac.signal, "x")).rejects.toBeInstanceOf(Interrupted);
});

test("throttled lets one line a second through", () => {
  const lines: string[] = [];
  const now = jest.spyOn(Date, "now");
  const log = throttled((l) => lines.push(l));
  for (const [t, l] of [
    [0, "a"],
    [200, "b"],
    [999, "c"],
    [1000, "d"],
    [1500, "e"],
    [2100, "f"],
  ] as const) {
    now.mockReturnValue(t);
    log(l);
  }
  now.mockRestore();
  expect(lines).toEqual(["a", "d", "f"]);
});
