/**
 * `bin/ccr-dr` as pipelines run it: a real child process, no TTY, on an es-sim pair with the real
 * program and Pulumi CLI. Checks `--json` output against the documented schemas, refusal without
 * `--yes`, a saved plan refusing to run once reality moved, a failover re-run after an
 * interruption, failback, a switchover with no document lost and one that aborts safely, and the
 * drill (the seed tutorial) with its verdict and every step.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ccrDr, expectSchema } from "../../helpers/ccrDrCli";
import { http } from "../../helpers/sim";
import { A_INDEX, B_INDEX, DrPair, eventually, followStatus, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";

jest.setTimeout(900_000);

describe("ccr-dr command", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
    await loadOrders(pair.a.url, A_INDEX, 200);
    for (const site of ["clusterB", "clusterA"] as const) await (await pair.stack(site)).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterAll(async () => pair?.cleanup());

  test("status --json follows its schema and reads the clusters", async () => {
    const r = await ccrDr(pair, ["status", "--json"]);
    expect(r.code).toBe(0);
    expectSchema("status", r.json);
    expect(r.json).toMatchObject({ primary: "clusterA", primaryBySite: { clusterA: "clusterA", clusterB: "clusterA" } });
    const [a, b] = r.json.clusters;
    expect(a).toMatchObject({
      cluster: "clusterA",
      reachable: true,
      configuredRole: "primary",
      indices: [{ index: A_INDEX, role: "leader", documents: 200 }],
    });
    expect(b).toMatchObject({
      cluster: "clusterB",
      reachable: true,
      configuredRole: "follower",
      indices: [{ index: B_INDEX, role: "follower", followStatus: "active", lagOperations: 0 }],
    });
  });

  test("a destructive command without --yes off a TTY is refused and changes nothing", async () => {
    const r = await ccrDr(pair, ["failover", "--to", "clusterB"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("without --yes");
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("active");
    const usage = await ccrDr(pair, ["failover", "--to", "clusterC", "--json"]);
    expect(usage.code).toBe(2);
    expectSchema("error", usage.json);
  });

  test("plan saves update plans; a stale, expired or outdated one is refused before anything changes", async () => {
    const p = await ccrDr(pair, ["plan", "--to", "clusterB", "--json"]);
    expect(p.code).toBe(0);
    expectSchema("plan", p.json);
    const onB = p.json.sites.find((s: { site: string }) => s.site === "clusterB");
    expect(onB.operations.map((o: { words: string }) => o.words)).toContainEqual(
      expect.stringMatching(new RegExp(`^promote ${B_INDEX} on clusterB: pause → close → unfollow → open`)),
    );
    // The program's own preview lines: the promotion in DR words, and that `pulumi up` would refuse
    // this failover while clusterA takes writes.
    expect(onB.preview).toContainEqual(expect.stringMatching(new RegExp(`^failover: PROMOTE "${B_INDEX}" on clusterB \\(\\d+ docs\\)`)));
    expect(onB.preview).toContainEqual(expect.stringMatching(/^`pulumi up` will REFUSE this failover: /));
    expect(p.json.rpo.operations).toBe(0);
    expect(fs.existsSync(p.json.planFiles.clusterB)).toBe(true);
    // The configuration was put back: a plan changes nothing.
    expect((await (await pair.stack("clusterB")).getConfig("ccr-dr:primary")).value).toBe("clusterA");
    const stackFile = path.join(pair.workDir, "Pulumi.dr-b.yaml");

    /** A refused failover: exit 6, one line naming why and the fix, the stack file byte for byte as before, B still following. */
    async function refused(args: string[], why: RegExp, follow = "active"): Promise<void> {
      const before = fs.readFileSync(stackFile);
      const f = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes", ...args]);
      expect({ code: f.code, stderr: f.stderr }).toEqual({ code: 6, stderr: expect.stringMatching(why) });
      const [first, ...hints] = f.stderr.trimEnd().split("\n");
      expect(first).toMatch(
        /^ccr-dr: the saved plan \.ccr-dr\/plans\/dr-b-to-clusterB\.json is stale: .*; nothing was changed: run `ccr-dr plan --to clusterB` again$/,
      );
      expect(hints).toEqual(["  or run the command with --no-plan to go ahead without a saved plan"]);
      expect(fs.readFileSync(stackFile).equals(before)).toBe(true);
      expect(await followStatus(pair.b.url, B_INDEX)).toBe(follow);
    }

    // One plan, refused for each reason in the order they are checked. Too old: made more than --plan-max-age ago.
    await refused(["--plan-max-age", "1s"], /is stale: it was made \d+ s ago, more than --plan-max-age 1 s/);

    // The clusters moved: the follower was paused since the plan.
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_ccr/pause_follow`)).status).toBe(200);
    await refused(
      [],
      new RegExp(
        `is stale: ${B_INDEX} on clusterB was an active follower of clusterA:${A_INDEX} \\(uuid [^)]+\\) when it was made and is a paused follower`,
      ),
      "paused",
    );
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_ccr/resume_follow`, {})).status).toBe(200);
    await eventually("the follower to resume", async () => ((await followStatus(pair.b.url, B_INDEX)) === "active" ? true : undefined));

    // The stack file changes after the plan was made (clusterB's connection details).
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:clusters.clusterB.requestTimeoutMs", { value: "20000" }, true);
    await refused(["--json"], /is stale: Pulumi\.dr-b\.yaml has changed since it was made/);

    // A change only Pulumi sees (here: the binding made to accept the changed stack file): Pulumi
    // refuses the plan before any operation, and the flipped stack file is put back byte for byte.
    const bindingFile = path.join(pair.workDir, ".ccr-dr/plans/dr-b-to-clusterB.binding.json");
    // clusterA dies first (the disaster an unplanned failover is for: while clusterA takes writes the
    // failover is refused, exit 7), and the binding is made to accept that too.
    await pair.a.kill("SIGKILL");
    const binding = JSON.parse(fs.readFileSync(bindingFile, "utf8"));
    binding.stackFileSha256 = createHash("sha256").update(fs.readFileSync(stackFile)).digest("hex");
    binding.world.clusterA = { reachable: false, indices: {} };
    fs.writeFileSync(bindingFile, JSON.stringify(binding));
    const before = fs.readFileSync(stackFile);
    const violated = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes"]);
    expect(violated.code).toBe(6);
    // Progress first: the split-brain probe found clusterA dead, so the failover went ahead.
    const progress = /^\[\s*[\d.]+s\] /;
    expect(violated.stderr).toMatch(/^\[\s*[\d.]+s\] clusterA does not answer /m);
    expect(
      violated.stderr
        .trimEnd()
        .split("\n")
        .filter((l) => !progress.test(l)),
    ).toEqual([
      expect.stringMatching(
        /^ccr-dr: the saved plan dr-b-to-clusterB\.json no longer matches pulumi up on clusterB \(stack dr-b\): .*violates plan: properties changed: .*: run `ccr-dr plan --to clusterB` again$/,
      ),
      "  changed by this run: nothing (Pulumi.dr-b.yaml restored)",
      "  stacks now: stack dr-b (clusterB): ccr-dr:primary=clusterA (a failover opens only its own site's stack)",
      "  (--verbose shows Pulumi's output)",
    ]);
    expect(fs.readFileSync(stackFile).equals(before)).toBe(true);
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("active");
    await drB.removeConfig("ccr-dr:clusters.clusterB.requestTimeoutMs", true);
    fs.rmSync(path.join(pair.workDir, ".ccr-dr"), { recursive: true, force: true });
  });

  test("a stack file that is not YAML: exit 2, one line naming the file", async () => {
    const stackFile = path.join(pair.workDir, "Pulumi.dr-a.yaml");
    const original = fs.readFileSync(stackFile);
    fs.writeFileSync(stackFile, "config:\n  ccr-dr:site: clusterA\n   bad: [\n");
    try {
      const r = await ccrDr(pair, ["status"]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines[0]).toBe(
        "ccr-dr: stack dr-a: invalid YAML file: yaml: line 3: mapping values are not allowed in this context: fix Pulumi.dr-a.yaml",
      );
      expect(lines.slice(1)).toEqual(["  (--verbose shows Pulumi's output)"]);
    } finally {
      fs.writeFileSync(stackFile, original);
    }
  });

  test("failover re-run after an interruption mid-way converges; status shows the promotion record", async () => {
    // The interrupted run had paused and closed the follower.
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_ccr/pause_follow`)).status).toBe(200);
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_close`)).status).toBe(200);
    await pair.a.kill("SIGKILL"); // still down since the previous test
    const r = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expectSchema("failover", r.json);
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("none");
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" })).status).toBe(201);
    const s = await ccrDr(pair, ["status", "--json"]);
    expectSchema("status", s.json);
    // clusterA's stack still names itself until the failback: the report says so instead of picking one.
    expect(s.json.primary).toBeUndefined();
    expect(s.json.primaryBySite).toEqual({ clusterA: "clusterA", clusterB: "clusterB" });
    expect(s.json.clusters[0]).toMatchObject({ cluster: "clusterA", reachable: false, configuredRole: "primary" });
    expect(s.json.clusters[1]).toMatchObject({ cluster: "clusterB", configuredRole: "primary" });
    expect(s.json.clusters[1].indices[0]).toMatchObject({
      role: "leader",
      documents: 201,
      promotion: { index: B_INDEX, promotedFrom: { remoteCluster: "clusterA", leaderIndex: A_INDEX } },
    });
  });

  test("failback: the returning clusterA follows clusterB", async () => {
    await pair.a.restart();
    const r = await ccrDr(pair, ["failback", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expectSchema("failback", r.json);
    expect(r.json).toMatchObject({ primary: "clusterB", run: { site: "clusterA" } });
    await eventually("kimchy on clusterA", async () => {
      const hits = await http(pair.a.url, "GET", `/${A_INDEX}/_search?q=kimchy`);
      return hits.body.hits?.total?.value === 1 ? true : undefined;
    });
    expect(await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX)).toHaveLength(201);
  });

  test("switchover back to clusterA loses nothing; one to a dead target aborts and leaves the primary writable", async () => {
    await loadOrders(pair.b.url, B_INDEX, 10, "late");
    const expected = await ids(pair.b.url, B_INDEX);
    const r = await ccrDr(pair, ["switchover", "--to", "clusterA", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expectSchema("switchover", r.json);
    expect(r.json).toMatchObject({ from: "clusterB", to: "clusterA", rpoOperations: 0 });
    expect(await ids(pair.a.url, A_INDEX)).toEqual(expected);
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("active");
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);

    await pair.b.kill("SIGKILL");
    const abort = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "2"]);
    expect(abort.code).toBe(4);
    expectSchema("error", abort.json);
    expect(await followStatus(pair.a.url, A_INDEX)).toBe("none");
    expect((await http(pair.a.url, "POST", `/${A_INDEX}/_doc`, { user: "still the primary" })).status).toBe(201);

    // A run that fails in Pulumi (clusterB is down): one line naming the resource, cluster and fix,
    // then what the run changed and what each stack holds; no colour codes and no raw Pulumi output
    // when piped, even with FORCE_COLOR; the raw output with --verbose. clusterA is down too: while
    // it answers and takes writes, a failover is refused before Pulumi runs (exit 7).
    await pair.a.kill("SIGKILL");
    const failed = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes", "--no-plan"], { FORCE_COLOR: "1" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).not.toContain("\u001b");
    const error = failed.stderr.slice(failed.stderr.indexOf("ccr-dr: "));
    expect(error.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ccr-dr: pulumi up on clusterB \\(stack dr-b\\) failed: FollowerIndex ${B_INDEX}: .*on cluster "clusterB" failed: cannot connect .*Likely fix: check that cluster "clusterB" is up`,
        ),
      ),
      "  changed by this run: stack dr-b: ccr-dr:primary clusterA → clusterB",
      "  stacks now: stack dr-b (clusterB): ccr-dr:primary=clusterB (a failover opens only its own site's stack)",
      "  it is safe to re-run the same command: every step skips what is already done",
      "  (--verbose shows Pulumi's output)",
    ]);
    const verbose = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes", "--no-plan", "--verbose"]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain("--- pulumi output (--verbose) ---");
    expect(verbose.stderr).toContain("Diagnostics:");
    await (await pair.stack("clusterB")).setConfig("ccr-dr:primary", { value: "clusterA" });
    await pair.a.restart();
    await pair.b.restart();
  });

  test("drill: the seed tutorial passes, every step reported", async () => {
    const r = await ccrDr(undefined, ["drill", "--json", "--documents", "500"]);
    expect(r.code).toBe(0);
    expectSchema("drill", r.json);
    expect(r.json.verdict).toBe("pass");
    expect(r.json.rpoDocuments).toBe(0);
    expect(r.json.phases.map((p: { name: string; ok: boolean }) => [p.name, p.ok])).toEqual([
      ["start clusterA and clusterB", true],
      [`load ${A_INDEX} on clusterA`, true],
      ["set up replication (pulumi up dr-b, dr-a)", true],
      ["disaster: kill -9 clusterA", true],
      ["failover to clusterB (pulumi up dr-b)", true],
      [`write {"user":"kimchy"} into ${B_INDEX} on clusterB`, true],
      ["restart clusterA on its data dir", true],
      ["failback: clusterA follows clusterB (pulumi up dr-a)", true],
      [`GET ${A_INDEX}/_search?q=kimchy on clusterA`, true],
    ]);
    expect(r.stderr).toMatch(/\[\s*\d+\.\ds\] failover to clusterB/); // progress with elapsed time
  });
});
