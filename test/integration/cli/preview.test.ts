/**
 * What the operator is told before a change, and no split brain through ccr-dr, on one es-sim pair
 * with the real program, the real `pulumi` and the real `bin/ccr-dr`:
 *
 * - `pulumi destroy --preview-only --diff` of a follower site says the follower is promoted, not deleted.
 * - A failover preview while the old primary is up: promote (pause → close → unfollow → open) with
 *   docs, lag and RPO; plain `pulumi up` is refused (clusterA untouched, clusterB still a follower).
 * - With clusterA down: the preview still succeeds (RPO a lower bound, "keep clients away") and
 *   plain `pulumi up` proceeds.
 * - A failback preview: fenced, M divergent documents quarantined, deleted, re-followed (K to copy),
 *   and it still succeeds with the new leader down; the failback then quarantines exactly M.
 * - `ccr-dr failover` while the old primary takes writes exits 7 changing nothing; `--force` fences
 *   it through its own connection, then promotes.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { pulumiBinary } from "../../../cli/toolchain";
import { http } from "../../helpers/sim";
import { ccrDr } from "../../helpers/faultKit";
import { A_INDEX, B_INDEX, count, DrPair, followStatus, inSync, loadOrders, startDrPair } from "../../helpers/drPair";

jest.setTimeout(600_000);

/** `CCR_DR_PREVIEW_DUMP=<file>` keeps the preview texts (docs/runbook.md quotes them). */
function keep(title: string, text: string): void {
  const file = process.env["CCR_DR_PREVIEW_DUMP"];
  if (file) fs.appendFileSync(file, `\n===== ${title}\n${text}\n`);
}

/** Runs the `pulumi` CLI itself in the staged program. */
function pulumi(pair: DrPair, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pulumiBinary(), args, { cwd: pair.workDir, env: { ...process.env, ...pair.env } });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

/** Plain `pulumi preview --diff` of a site stack, as an operator runs it; it must succeed. */
async function preview(pair: DrPair, stack: string): Promise<{ stdout: string }> {
  const r = await pulumi(pair, ["preview", "--diff", "--non-interactive", "-s", stack]);
  if (r.code !== 0) throw new Error(`pulumi preview -s ${stack} exited ${r.code}:\n${r.out}`);
  return { stdout: r.out };
}

const writeStatus = async (base: string, index: string) =>
  (await http(base, "POST", `/${index}/_doc?refresh=true`, { probe: true })).status;

describe("preview words and the split-brain guard", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
    await loadOrders(pair.a.url, A_INDEX, 50);
    for (const site of ["clusterB", "clusterA"] as const) await (await pair.stack(site)).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterAll(async () => pair?.cleanup());

  test("destroy of a follower site previews a promotion, not a delete", async () => {
    const r = await pulumi(pair, ["destroy", "--preview-only", "--diff", "--non-interactive", "-s", "dr-b"]);
    keep("pulumi destroy --preview-only --diff -s dr-b", r.out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/- pulumi-nodejs:dynamic\/ccr-dr\/followerIndex:FollowerIndex: \(delete\)/);
    expect(r.out).toMatch(
      /deleteMeans\s*: "PROMOTE, not delete \(documents kept\): pause → close → unfollow → write block → open → record promotion → unblock"/,
    );
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("active");
  });

  test("failover while clusterA takes writes: the preview says promote, lag, RPO and that up refuses; plain pulumi up is refused", async () => {
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const p = await preview(pair, "dr-b");
    keep("failover preview, clusterA up (pulumi preview --diff -s dr-b)", p.stdout);
    expect(p.stdout).toContain(
      `failover: PROMOTE "${B_INDEX}" on clusterB (50 docs), follower of clusterA:${A_INDEX}, to a writable index: pause → close → unfollow → write block → open → record promotion → unblock`,
    );
    expect(p.stdout).toMatch(/replication lag 0 operation\(s\)/);
    expect(p.stdout).toMatch(/RPO estimate: 0 operation\(s\) acknowledged on clusterA and not replicated \(both read now\)/);
    expect(p.stdout).toMatch(/`pulumi up` will REFUSE this failover: refusing to fail over to clusterB: clusterA answers and takes writes/);

    await expect(drB.up()).rejects.toThrow(/refusing to fail over to clusterB: clusterA answers and takes writes[\s\S]*ccr-dr:force true/);
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("active");
    expect(await writeStatus(pair.a.url, A_INDEX)).toBe(201);
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
  });

  test("failover with clusterA down: the preview succeeds with an RPO lower bound; plain pulumi up proceeds", async () => {
    const drB = await pair.stack("clusterB");
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    await pair.a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const p = await preview(pair, "dr-b");
    keep("failover preview, clusterA down (pulumi preview --diff -s dr-b)", p.stdout);
    expect(p.stdout).toContain(`failover: PROMOTE "${B_INDEX}" on clusterB (51 docs)`);
    expect(p.stdout).toMatch(
      /RPO estimate: ≥ 0 operation\(s\) not replicated \(as the follower last saw clusterA\), upper bound unknown: clusterA does not answer/,
    );
    expect(p.stdout).toMatch(/Keep clients away from clusterA until the failback/);
    const up = await drB.up();
    expect(up.stdout).toMatch(/Keep clients away from clusterA until the failback/);
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("none");
    expect(await writeStatus(pair.b.url, B_INDEX)).toBe(201);
  });

  test("failback preview: fence, quarantine M, delete, re-follow with K to copy; still previews with the new leader down", async () => {
    await pair.a.restart();
    // Stale clients wrote to clusterA after clusterB's promotion: 3 documents clusterB never had.
    await loadOrders(pair.a.url, A_INDEX, 3, "stale");
    const onA = await count(pair.a.url, A_INDEX);
    const onB = await count(pair.b.url, B_INDEX);
    const drA = await pair.stack("clusterA");
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
    const p = await preview(pair, "dr-a");
    keep("failback preview (pulumi preview --diff -s dr-a)", p.stdout);
    expect(p.stdout).toContain(
      `failback: "${A_INDEX}" on clusterA (${onA} docs) will be FENCED (write block), 3 divergent document(s) (above the promotion checkpoint) QUARANTINED into ccr-dr-quarantine-<generated at up>-${A_INDEX}, DELETED and re-followed from clusterB:${B_INDEX} (${onB} docs to copy): fence → quarantine → DELETE → follow clusterB:${B_INDEX} → wait until active`,
    );

    await pair.b.kill("SIGKILL");
    const down = await preview(pair, "dr-a");
    keep("failback preview, clusterB down (pulumi preview --diff -s dr-a)", down.stdout);
    expect(down.stdout).toMatch(
      new RegExp(`failback: "${A_INDEX}" on clusterA \\(${onA} docs\\) will NOT be replaced: the new leader clusterB could not be read`),
    );
    await pair.b.restart();

    const failback = await drA.up();
    expect((failback.outputs.indexStatus!.value as Record<string, { quarantinedDocuments: number }>)[A_INDEX]!.quarantinedDocuments).toBe(
      3,
    );
    await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
  });

  test("ccr-dr failover while the old primary takes writes exits 7 changing nothing; --force fences it through its own connection, then promotes", async () => {
    // Roles are reversed now: clusterB is the primary, clusterA follows it.
    const refused = await ccrDr(pair, ["failover", "--to", "clusterA", "--yes", "--json"]);
    expect(refused.code).toBe(7);
    expect(refused.json.error).toMatch(/refusing to fail over to clusterA: clusterB answers and takes writes/);
    expect(refused.json.error).toMatch(/ccr-dr switchover --to clusterA[\s\S]*--force/);
    expect(await followStatus(pair.a.url, A_INDEX)).toBe("active");
    expect(await writeStatus(pair.b.url, B_INDEX)).toBe(201);
    expect((await (await pair.stack("clusterA")).getConfig("ccr-dr:primary")).value).toBe("clusterB");

    await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
    const forced = await ccrDr(pair, ["failover", "--to", "clusterA", "--yes", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/forced, so it is fenced first/);
    // clusterB refuses writes: its index carries the write block, set through clusterB's own endpoint.
    expect(await writeStatus(pair.b.url, B_INDEX)).toBe(403);
    const settings = await http(pair.b.url, "GET", `/${B_INDEX}/_settings?flat_settings=true`);
    expect(settings.body[B_INDEX].settings["index.blocks.write"]).toBe("true");
    const drA = await pair.stack("clusterA");
    const fence = ((await drA.exportStack()).deployment.resources as Array<{ type: string; inputs?: any }>).find((r) =>
      r.type.endsWith(":WriteFence"),
    );
    expect(fence?.inputs).toMatchObject({ index: B_INDEX, onDelete: "keep", connection: { name: "clusterB", endpoints: [pair.b.url] } });
    expect(await followStatus(pair.a.url, A_INDEX)).toBe("none");
    expect(await writeStatus(pair.a.url, A_INDEX)).toBe(201);
    // --force was for that run only.
    expect(fs.readFileSync(`${pair.workDir}/Pulumi.dr-a.yaml`, "utf8")).not.toContain("ccr-dr:force");
  });
});
