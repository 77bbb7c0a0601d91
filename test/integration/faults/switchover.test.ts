/**
 * A planned switchover whose target cannot catch up: lagging (its replication link stalled by a TCP
 * proxy in front of the leader's transport port, a partition) or down (killed). `ccr-dr switchover`
 * fences the primary, waits, then aborts with exit 4: nothing is promoted, the fence is lifted and
 * the primary takes writes again. Once the link heals every document reaches the target.
 *
 * The same wait interrupted: Ctrl-C (SIGINT to the ccr-dr process) stops it at once, lifts the
 * fence and exits 130; kill -9 leaves the fence with a switchover record in the cluster, which
 * `ccr-dr status` shows with the command that resolves it.
 */
import * as os from "node:os";
import { http } from "../../helpers/sim";
import {
  A_INDEX,
  B_INDEX,
  DrPair,
  eventually,
  expectNoChanges,
  followStatus,
  ids,
  inSync,
  loadOrders,
  startDrPair,
} from "../../helpers/drPair";
import { startTcpFaultProxy, type TcpFaultProxy } from "../../helpers/faultProxy";
import { ccrDr, indexState, processesIn, report, startCcrDr, type CcrDrProcess } from "../../helpers/faultKit";

jest.setTimeout(600_000);

describe("a planned switchover to a target that is lagging or down", () => {
  let pair: DrPair;
  let link: TcpFaultProxy;

  beforeAll(async () => {
    pair = await startDrPair();
    // clusterB reaches clusterA's transport port (its remote cluster "clusterA") through the relay.
    link = await startTcpFaultProxy(pair.a.transportAddress);
    await (await pair.stack("clusterB")).setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: link.address }, true);
    await (await pair.stack("clusterA")).setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: link.address }, true);
    await loadOrders(pair.a.url, A_INDEX, 100);
    await (await pair.stack("clusterB")).up();
    await (await pair.stack("clusterA")).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterEach(() => {
    link.resume();
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await link?.close();
    await pair?.cleanup();
  });

  /** Nothing was promoted, clusterA takes writes, both stacks still say primary clusterA and unfenced. */
  async function expectAbortedCleanly(): Promise<string> {
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ follower: "active", promotion: false });
    expect(await indexState(pair.a.url, A_INDEX)).toMatchObject({ open: true, follower: "none", writeBlocked: false });
    const write = await http(pair.a.url, "POST", `/${A_INDEX}/_doc?refresh=true`, { user: "after the abort" });
    expect(write.status).toBe(201);
    for (const site of ["clusterA", "clusterB"] as const) {
      const s = await pair.stack(site);
      expect((await s.getConfig("ccr-dr:primary")).value).toBe("clusterA");
      const fenced = await s.getAllConfig();
      expect(fenced["ccr-dr:fenced"]?.value ?? "false").toBe("false");
    }
    return write.body._id as string;
  }

  test("target lagging: aborts with exit 4, promotes nothing, clusterA writable; nothing is lost once the link heals", async () => {
    link.stall();
    const late = await loadOrders(pair.a.url, A_INDEX, 25, "late"); // acknowledged by A, not replicated
    const r = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "3"]);
    expect(r.code).toBe(4);
    expect(r.json).toEqual({
      error: expect.stringMatching(
        /^switchover to clusterB aborted: clusterB was still \d+ operations behind clusterA; nothing was promoted and clusterA takes writes again$/,
      ),
      exitCode: 4,
    });
    expect(r.stderr).toMatch(/waiting for clusterB to catch up: \d+ operations behind/);
    const afterAbort = await expectAbortedCleanly();
    link.resume();
    const onB = await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    expect(onB).toEqual(expect.arrayContaining([...late, afterAbort]));
    expect(onB).toEqual(await ids(pair.a.url, A_INDEX));
    report(
      `switchover, target lagging: aborted (exit 4), ${late.length} unreplicated documents reached clusterB after the link healed; ${onB.length} on both`,
    );
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
  });

  test("target down: aborts with exit 4, promotes nothing, clusterA writable; clusterB catches up after its restart", async () => {
    const before = await ids(pair.a.url, A_INDEX);
    await pair.b.kill("SIGKILL");
    const r = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "2"]);
    expect(r.code).toBe(4);
    expect(r.json.error).toMatch(
      /^switchover to clusterB aborted: clusterB was still \d+ operations behind clusterA; nothing was promoted and clusterA takes writes again$/,
    );
    await pair.b.restart();
    const afterAbort = await expectAbortedCleanly();
    const onB = await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    expect(onB).toEqual([...before, afterAbort].sort());
    report(
      `switchover, target down: aborted (exit 4), clusterA took a write after the abort; ${onB.length} documents on both after clusterB's restart`,
    );
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
  });

  /** Starts a switchover that will wait (the link is stalled), and returns once it is waiting with clusterA fenced. */
  async function waitingSwitchover(): Promise<CcrDrProcess> {
    link.stall();
    await loadOrders(pair.a.url, A_INDEX, 5, `unreplicated-${Date.now()}`);
    const run = startCcrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--timeout", "300"]);
    await eventually(
      "the catch-up wait",
      async () => (/waiting for clusterB to catch up/.test(run.stderrSoFar()) ? true : undefined),
      60_000,
    );
    expect(await indexState(pair.a.url, A_INDEX)).toMatchObject({ writeBlocked: true });
    return run;
  }

  test("Ctrl-C during the catch-up wait: the wait stops, the fence is lifted, exit 130; progress at most once a second", async () => {
    const run = await waitingSwitchover();
    await new Promise((r) => setTimeout(r, 1500)); // a few polls, to see the progress lines' pace
    const sent = Date.now();
    process.kill(run.pid, "SIGINT");
    const writableAfter = await eventually(
      "clusterA writable again",
      async () => ((await indexState(pair.a.url, A_INDEX)).writeBlocked === false ? Date.now() - sent : undefined),
      60_000,
    );
    const r = await run.done;
    const exitedAfter = Date.now() - sent;
    expect(r.code).toBe(130);
    // Far below the 300 s --timeout: the interrupt ended the wait instead of the timeout.
    expect(exitedAfter).toBeLessThan(60_000);
    expect(r.stderr).toContain(
      "ccr-dr: switchover to clusterB interrupted: nothing was promoted, the fence on clusterA is lifted and clusterA takes writes again",
    );
    const times = [...r.stderr.matchAll(/\[\s*([\d.]+)s\] waiting for clusterB to catch up/g)].map((m) => Number(m[1]));
    expect(times.length).toBeGreaterThan(0);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(0.9);
    link.resume();
    await expectAbortedCleanly();
    const s = await ccrDr(pair, ["status", "--json"]);
    expect(s.json.switchovers).toEqual([]);
    await expectNoChanges(await pair.stack("clusterA")); // the fence is gone from dr-a's state too
    report(
      `switchover, Ctrl-C in the catch-up wait: clusterA writable ${writableAfter} ms and ccr-dr exited 130 ${exitedAfter} ms after SIGINT`,
    );
  });

  test("kill -9 during the catch-up wait: status shows the fence's switchover record and the command; running it clears it", async () => {
    const run = await waitingSwitchover();
    run.signalGroup("SIGKILL");
    for (const pid of processesIn(pair.workDir)) process.kill(pid, "SIGKILL");
    expect((await run.done).signal).toBe("SIGKILL");
    expect(await indexState(pair.a.url, A_INDEX)).toMatchObject({ writeBlocked: true });

    const s = await ccrDr(pair, ["status", "--json"]);
    const command = "ccr-dr switchover --to clusterB --yes";
    expect(s.json.switchovers).toEqual([
      {
        cluster: "clusterA",
        index: A_INDEX,
        from: "clusterA",
        to: "clusterB",
        startedAt: expect.any(String),
        host: os.hostname(),
        pid: run.pid,
        running: false,
        command,
      },
    ]);
    const text = await ccrDr(pair, ["status"]);
    expect(text.stdout).toMatch(
      new RegExp(
        `switchover clusterA → clusterB started \\S+ interrupted: ccr-dr pid ${run.pid} on ${os.hostname()} no longer runs; ${A_INDEX} on clusterA stays write-blocked`,
      ),
    );
    expect(text.stdout).toContain(`: ${command}\n`);

    link.resume();
    const fix = await ccrDr(pair, command.split(" ").slice(1));
    expect(fix.code).toBe(0);
    expect((await ccrDr(pair, ["status", "--json"])).json.switchovers).toEqual([]);
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ follower: "none", writeBlocked: false });
    expect(await followStatus(pair.a.url, A_INDEX)).toBe("active");
    const onA = await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
    expect(onA).toEqual(await ids(pair.b.url, B_INDEX));
    report(`switchover killed with -9: status showed the record; \`${command}\` finished it, ${onA.length} documents on both`);
  });
});
