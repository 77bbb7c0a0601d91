/**
 * A failover interrupted from the operator's side, at a known point: an HTTP proxy in front of
 * clusterB holds its answer to one promotion step while the interruption is delivered.
 *
 * - SIGINT to `pulumi up` (the Automation API's abort signal): Pulumi cancels gracefully, letting
 *   the step in flight finish; the re-run converges.
 * - A second SIGINT ("terminate immediately"): Pulumi records a pending operation; the re-run
 *   completes it (and clears it).
 * - Ctrl-C to `ccr-dr failover` (SIGINT to its process group, as a terminal sends it: Pulumi gets it
 *   once, a graceful cancel), and SIGINT to ccr-dr alone (which then cancels Pulumi); each re-run
 *   converges.
 * - kill -9 of `ccr-dr failover` and of everything it started (a cancelled CI job): the stack lock
 *   stays behind with the pending operation; the re-run removes the provably stale lock and converges.
 *
 * clusterA is killed before each failover (the disaster; while it answers and takes writes a
 * failover is refused) and restarted before clusterB follows it again.
 *
 * Every case ends with the promoted clusterB holding every document clusterA had, open for writes,
 * a no-change preview, no pending operation and no lock; then clusterB follows clusterA again.
 */
import { spawn } from "node:child_process";
import { pulumiBinary } from "../../../cli/toolchain";
import { A_INDEX, B_INDEX, DrPair, eventually, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startFaultProxy, type FaultProxy } from "../../helpers/faultProxy";
import { indexState, lockFiles, pendingOperations, processesIn, startCcrDr } from "../../helpers/faultKit";

jest.setTimeout(600_000);

const FOLLOWER_URN = `urn:pulumi:dr-b::ccr-dr::pulumi-nodejs:dynamic/ccr-dr/followerIndex:FollowerIndex::${B_INDEX}`;
const step = (name: string) => ({ method: "POST", path: new RegExp(`^/${B_INDEX}/${name}$`) });

describe("a failover interrupted by SIGINT or kill -9 of the operator's process", () => {
  let pair: DrPair;
  let proxyB: FaultProxy;
  /** clusterA's documents when the failover starts: all must be on the promoted clusterB. */
  let expected: string[];
  let round = 0;
  let aRunning = true;

  beforeAll(async () => {
    pair = await startDrPair();
    proxyB = await startFaultProxy(pair.b.url);
    await (await pair.stack("clusterB")).setConfig("ccr-dr:clusters.clusterB.endpoint", { value: proxyB.url }, true);
    await loadOrders(pair.a.url, A_INDEX, 100);
    await (await pair.stack("clusterB")).up();
  });
  beforeEach(async () => {
    // clusterB follows clusterA and holds what A holds; then dr-b is flipped (the failover to run).
    const drB = await pair.stack("clusterB");
    if (!aRunning) {
      await pair.a.restart();
      aRunning = true;
    }
    if ((await drB.getConfig("ccr-dr:primary")).value !== "clusterA") {
      await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
      await drB.up();
    }
    await loadOrders(pair.a.url, A_INDEX, 10, `round-${++round}`);
    expected = await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    // The disaster an unplanned failover is for: while clusterA answers and takes writes, the
    // failover is refused (stack/splitBrain.ts).
    await pair.a.kill("SIGKILL");
    aRunning = false;
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
  });
  afterEach(() => {
    proxyB.disarm();
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await proxyB?.close();
    await pair?.cleanup();
  });

  /** The failover converged: B promoted with every document, open for writes, nothing left pending. */
  async function expectConverged(): Promise<void> {
    const drB = await pair.stack("clusterB");
    expect(await indexState(pair.b.url, B_INDEX)).toEqual({
      exists: true,
      open: true,
      follower: "none",
      writeBlocked: false,
      promotion: true,
    });
    // Open, no write block, not a follower: it takes writes (none is made here, so that the next case
    // may turn this untouched promotion back into a follower; faults.crash.test.ts writes to it).
    expect(await ids(pair.b.url, B_INDEX)).toEqual(expected);
    expect(await pendingOperations(drB)).toEqual([]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    await expectNoChanges(drB);
  }

  test("SIGINT to pulumi up: the promotion in flight finishes, nothing else starts; the re-run converges", async () => {
    const drB = await pair.stack("clusterB");
    const hold = proxyB.holdAfter(step("_close"));
    const interrupt = new AbortController();
    let output = "";
    const run = drB.up({ signal: interrupt.signal, onOutput: (s) => (output += s) }).then(
      () => undefined,
      (e: Error) => e,
    );
    await hold.reached;
    interrupt.abort(); // the Automation API sends SIGINT to the pulumi CLI
    await eventually("pulumi to acknowledge the SIGINT", async () => (/received; cancelling/.test(output) ? true : undefined));
    hold.release();
    const err = await run;
    expect(err?.message).toMatch(/cancel/i);
    // Pulumi let the running delete (the whole promotion) complete, and left no pending operation or lock.
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ open: true, follower: "none", promotion: true });
    expect(await pendingOperations(drB)).toEqual([]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    await drB.up();
    await expectConverged();
  });

  test("a second SIGINT (terminate at once) leaves a pending operation; the re-run finishes and clears it", async () => {
    const drB = await pair.stack("clusterB");
    const hold = proxyB.holdAfter(step("_ccr/pause_follow"));
    const cli = spawn(pulumiBinary(), ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dr-b", "--cwd", pair.workDir], {
      env: { ...process.env, ...pair.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    cli.stdout.on("data", (c: Buffer) => (output += c));
    cli.stderr.on("data", (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((r) => cli.on("exit", (code) => r(code)));
    await hold.reached;
    cli.kill("SIGINT");
    await eventually("pulumi to acknowledge the first SIGINT", async () => (/received; cancelling/.test(output) ? true : undefined));
    cli.kill("SIGINT");
    expect(await exited).not.toBe(0);
    hold.release();
    // The pause took effect; Pulumi does not know whether the delete (promotion) finished.
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ open: true, follower: "paused" });
    expect(await pendingOperations(drB)).toEqual([{ type: "deleting", urn: FOLLOWER_URN }]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    const rerun = await drB.up();
    expect(rerun.stdout).toContain("Attempting to deploy or update resources with 1 pending operations from previous deployment");
    await expectConverged();
  });

  test("Ctrl-C to ccr-dr failover: it exits 130, the re-run converges", async () => {
    const hold = proxyB.holdAfter(step("_ccr/unfollow"));
    const first = startCcrDr(pair, ["failover", "--to", "clusterB", "--yes"]);
    await hold.reached;
    first.signalGroup("SIGINT"); // a terminal delivers Ctrl-C to ccr-dr and its pulumi child alike
    await eventually("ccr-dr to report the interruption", async () => (/interrupted/.test(first.stderrSoFar()) ? true : undefined));
    hold.release();
    const r1 = await first.done;
    expect(r1.code).toBe(130);
    // One Ctrl-C is a graceful cancel: the promotion in flight finished, nothing is left pending or locked.
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ follower: "none", promotion: true });
    expect(await pendingOperations(await pair.stack("clusterB"))).toEqual([]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    const r2 = await startCcrDr(pair, ["failover", "--to", "clusterB", "--yes", "--json"]).done;
    expect(r2.code).toBe(0);
    expect(r2.json).toMatchObject({ to: "clusterB", run: { site: "clusterB" } });
    await expectConverged();
  });

  test("SIGINT to the ccr-dr process alone (kill -INT): ccr-dr cancels Pulumi itself, exits 130, the re-run converges", async () => {
    const hold = proxyB.holdAfter(step("_close"));
    const first = startCcrDr(pair, ["failover", "--to", "clusterB", "--yes"]);
    await hold.reached;
    process.kill(first.pid, "SIGINT"); // a supervisor's signal: pulumi does not get it, ccr-dr forwards it
    await eventually("ccr-dr to interrupt pulumi", async () =>
      /interrupting pulumi up on clusterB/.test(first.stderrSoFar()) ? true : undefined,
    );
    hold.release();
    const r1 = await first.done;
    expect(r1.code).toBe(130);
    expect(r1.stderr).toMatch(/^ccr-dr: pulumi up on clusterB \(stack dr-b\) was interrupted: .*cancel/im);
    expect(await pendingOperations(await pair.stack("clusterB"))).toEqual([]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    const r2 = await startCcrDr(pair, ["failover", "--to", "clusterB", "--yes"]).done;
    expect(r2.code).toBe(0);
    await expectConverged();
  });

  test("kill -9 of ccr-dr failover and all it started leaves the stack locked; the re-run removes the stale lock and converges", async () => {
    const drB = await pair.stack("clusterB");
    const hold = proxyB.holdAfter(step("_ccr/pause_follow"));
    const first = startCcrDr(pair, ["failover", "--to", "clusterB", "--yes"]);
    await hold.reached;
    // The CI job is cancelled: ccr-dr, pulumi, its language host and the provider process all die.
    first.signalGroup("SIGKILL");
    for (const pid of processesIn(pair.workDir)) process.kill(pid, "SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    hold.release();
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ open: true, follower: "paused" });
    expect(lockFiles(pair, "dr-b")).toHaveLength(1);
    expect(await pendingOperations(drB)).toEqual([{ type: "deleting", urn: FOLLOWER_URN }]);

    const r = await startCcrDr(pair, ["failover", "--to", "clusterB", "--yes", "--json"]).done;
    expect(r.stderr).toMatch(
      /stack dr-b is locked by pulumi pid \d+ on this host, which no longer runs: removing the stale lock \(pulumi cancel\)/,
    );
    expect(r.code).toBe(0);
    await expectConverged();
  });
});
