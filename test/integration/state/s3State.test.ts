/**
 * Shared state in an S3-compatible object store (SeaweedFS, a real server on 127.0.0.1): both site
 * stacks keep their state in one bucket, and each site's operator works from a checkout of its own.
 *
 * - After the first deployment both stacks' checkpoints and histories are objects in the bucket and
 *   nothing is on the operator's machine.
 * - clusterA burns with site A's checkout and dr-a's secrets provider (as a KMS key of region A
 *   would): site B's operator fails over from site B's checkout and the bucket alone, then fails
 *   back (dr-a's state, written from site A, is updated from site B).
 * - Two operators update dr-b at once: the second — `ccr-dr` or plain `pulumi` — is refused by
 *   Pulumi's lock object in the bucket, with a message naming it; the first one finishes, only its
 *   update is in the history and no lock is left.
 * - A lock in the bucket held by a machine at the other site that has this machine's host name
 *   (CI runners, containers) and a pid not running here is not "stale": ccr-dr leaves it alone.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBinary } from "../../../cli/toolchain";
import { openSites, stageProgram } from "../../../cli/workspace";
import { A_INDEX, B_INDEX, type DrPair, eventually, followStatus, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startCcrDr, writeAcked } from "../../helpers/faultKit";
import { startS3Store, type S3Store } from "../../helpers/s3Store";

jest.setTimeout(600_000);

/** Where in the bucket the backend URL puts the state (`s3://<bucket>/<prefix>?…`). */
const PREFIX = "ccr-dr";
const STACKS = `${PREFIX}/.pulumi/stacks/ccr-dr`;
const LOCKS = `${PREFIX}/.pulumi/locks/organization/ccr-dr`;
const HISTORY = `${PREFIX}/.pulumi/history/ccr-dr`;
/** The passphrase provider's salt in a stack file (block or flow YAML, as Pulumi writes it). */
const SALT = /encryptionsalt: '?([^'\s},]+)'?/;

/** An operator's machine at one site: a checkout of the program and a Pulumi home of its own. */
interface Site {
  workDir: string;
  env: Record<string, string>;
}

describe("both site stacks' state in an S3-compatible object store", () => {
  let store: S3Store;
  let pair: DrPair;
  let siteA: Site;
  let siteB: Site;

  /** A checkout at `name`, its stack files as site A's checkout has them (as a `git pull` brings them). */
  function checkout(name: string, from: string): Site {
    const workDir = stageProgram(path.join(pair.dir, name), {});
    for (const f of ["Pulumi.dr-a.yaml", "Pulumi.dr-b.yaml"]) fs.copyFileSync(path.join(from, f), path.join(workDir, f));
    return { workDir, env: { ...pair.env, PULUMI_HOME: path.join(pair.dir, `${name}-home`) } };
  }

  const ccrDr = (site: Site, args: string[]) => startCcrDr({ ...pair, ...site }, [...args, "--json"]);

  /** Runs `pulumi <args>` in a checkout; its exit code and output. */
  function pulumiIn(site: Site, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(pulumiBinary(), [...args, "--non-interactive"], {
        cwd: site.workDir,
        env: { ...process.env, ...site.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c));
      child.stderr.on("data", (c: Buffer) => (output += c));
      child.on("error", reject);
      child.on("exit", (code) => resolve({ code, output }));
    });
  }

  /** An `encryptionsalt:` made with another passphrase: what a stack file names when its key is not ours. */
  async function foreignSalt(): Promise<string> {
    const other: Site = { workDir: stageProgram(path.join(pair.dir, "elsewhere"), {}), env: { ...pair.env } };
    const env = {
      PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(pair.dir, "elsewhere-state-"))}`,
      PULUMI_CONFIG_PASSPHRASE: "not-ours",
    };
    const r = await pulumiIn(other, ["stack", "init", "elsewhere"], env);
    if (r.code !== 0) throw new Error(r.output);
    return SALT.exec(fs.readFileSync(path.join(other.workDir, "Pulumi.elsewhere.yaml"), "utf8"))![1]!;
  }

  /** The last deployment of `stack` as the bucket holds it. */
  async function checkpoint(stack: string): Promise<any> {
    const body = await store.get(`${STACKS}/${stack}.json`);
    if (!body) throw new Error(`no checkpoint of ${stack} in the bucket: ${JSON.stringify(await store.list())}`);
    return JSON.parse(body.toString()).checkpoint;
  }
  /** The stack outputs of the last deployment (the `pulumi:pulumi:Stack` resource). */
  async function outputs(stack: string): Promise<Record<string, unknown>> {
    const resources = (await checkpoint(stack)).latest.resources as Array<{ type: string; outputs?: Record<string, unknown> }>;
    return resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {};
  }
  const lockObjects = async (stack: string) => (await store.list(`${LOCKS}/${stack}/`)).map((o) => o.key);
  const historyEntries = async (stack: string) =>
    (await store.list(`${HISTORY}/${stack}/`)).filter((o) => o.key.endsWith(".history.json")).length;

  beforeAll(async () => {
    store = await startS3Store();
    pair = await startDrPair({ backend: { url: store.backendUrl(PREFIX), env: store.env } });
    siteA = { workDir: pair.workDir, env: pair.env };
    await loadOrders(pair.a.url, A_INDEX, 50);
    const sites = await openSites({ workDir: siteA.workDir, env: siteA.env }); // creates both stacks in the bucket
    // credentials are secrets of each stack (es-sim without security ignores them, as ES does)
    for (const { stack } of Object.values(sites.site))
      for (const c of ["clusterA", "clusterB"]) {
        await stack.setConfig(`ccr-dr:clusters.${c}.username`, { value: "ccr-dr" }, true);
        await stack.setConfig(`ccr-dr:clusters.${c}.password`, { value: `pw-of-${c}`, secret: true }, true);
      }
    await sites.site.clusterA.stack.up();
    await sites.site.clusterB.stack.up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    siteB = checkout("site-b", siteA.workDir);
  });
  afterEach(() => {
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`S3 store log (tail):\n${store.log().slice(-3000)}`);
  });
  afterAll(async () => {
    await pair?.cleanup();
    await store?.cleanup();
  });

  test("the first deployment put both stacks' checkpoints and histories in the bucket, nothing on the machine", async () => {
    const keys = (await store.list()).map((o) => o.key);
    expect(keys).toEqual(expect.arrayContaining([`${PREFIX}/.pulumi/meta.yaml`, `${STACKS}/dr-a.json`, `${STACKS}/dr-b.json`]));
    expect(keys.filter((k) => !k.startsWith(`${PREFIX}/.pulumi/`))).toEqual([]);
    expect(await historyEntries("dr-a")).toBe(1);
    expect(await historyEntries("dr-b")).toBe(1);
    expect(keys.filter((k) => k.startsWith(LOCKS))).toEqual([]);
    expect(fs.existsSync(path.join(pair.dir, "state"))).toBe(false);
    expect(fs.existsSync(path.join(siteA.workDir, ".pulumi"))).toBe(false);
    expect(await outputs("dr-a")).toMatchObject({ siteName: "clusterA", primary: "clusterA", role: "primary" });
    expect(await outputs("dr-b")).toMatchObject({ siteName: "clusterB", primary: "clusterA", role: "follower" });
    // each stack's secrets are encrypted by its own provider, recorded with its state
    expect((await checkpoint("dr-b")).latest.secrets_providers.type).toBe("passphrase");
  });

  test("clusterA burns with site A's checkout and dr-a's key: site B fails over from its checkout and the bucket", async () => {
    await pair.a.kill();
    fs.rmSync(siteA.workDir, { recursive: true, force: true });
    fs.rmSync(siteA.env.PULUMI_HOME!, { recursive: true, force: true });
    // dr-a's secrets cannot be decrypted at site B now (its key went down with region A)
    const drA = path.join(siteB.workDir, "Pulumi.dr-a.yaml");
    const drAFile = fs.readFileSync(drA, "utf8");
    const foreign = await foreignSalt();
    expect(drAFile).toMatch(SALT);
    fs.writeFileSync(drA, drAFile.replace(SALT, `encryptionsalt: '${foreign}'`));
    const unreadable = await pulumiIn(siteB, ["config", "--show-secrets", "-s", "dr-a"]);
    expect(unreadable.output).toContain("incorrect passphrase");
    // plan at site B: dr-b's plan is made and saved, dr-a is reported unplanned (its key is down)
    const p = await ccrDr(siteB, ["plan", "--to", "clusterB"]).done;
    expect({ code: p.code, stderr: p.code === 0 ? "" : p.stderr }).toEqual({ code: 0, stderr: "" });
    expect(p.json.sites.map((x: { site: string }) => x.site)).toEqual(["clusterB"]);
    expect(Object.keys(p.json.planFiles)).toEqual(["clusterB"]);
    expect(p.json.unplanned).toEqual([{ site: "clusterA", stack: "dr-a", error: expect.stringContaining("incorrect passphrase") }]);
    const r = await ccrDr(siteB, ["failover", "--to", "clusterB", "--yes"]).done; // follows the saved plan
    // status at site B still reads: its own stack and cluster, clusterA through dr-b's connection, dr-a named as unreadable
    const s = await ccrDr(siteB, ["status"]).done;
    fs.writeFileSync(drA, drAFile); // the key is back with region A, before the failback
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(fs.existsSync(p.json.planFiles.clusterB)).toBe(false); // consumed by the failover
    expect(s.code).toBe(12);
    expect(s.json).toMatchObject({
      health: "unknown",
      primaryBySite: { clusterB: "clusterB" },
      unreadableStacks: [{ site: "clusterA", stack: "dr-a", error: expect.stringContaining("incorrect passphrase") }],
      clusters: [
        { cluster: "clusterA", reachable: false, configuredRole: "unknown" },
        { cluster: "clusterB", reachable: true, configuredRole: "primary" },
      ],
    });
    expect(s.json.primaryBySite.clusterA).toBeUndefined();
    expect(r.json).toMatchObject({ to: "clusterB", run: { site: "clusterB" } });
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("none");
    await writeAcked(pair.b.url, B_INDEX, "after-failover", 5);
    expect(await outputs("dr-b")).toMatchObject({ primary: "clusterB", role: "primary" });
    expect(await outputs("dr-a")).toMatchObject({ primary: "clusterA" }); // dr-a untouched while its site is down
    expect(await historyEntries("dr-b")).toBe(2);
    expect(await lockObjects("dr-b")).toEqual([]);
  });

  test("clusterA is back: site B fails it back through dr-a's state in the bucket; clusterA follows clusterB", async () => {
    await pair.a.restart();
    const r = await ccrDr(siteB, ["failback", "--yes"]).done;
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.json).toMatchObject({ primary: "clusterB", run: { site: "clusterA" } });
    await eventually(`${A_INDEX} on clusterA to follow`, async () =>
      (await followStatus(pair.a.url, A_INDEX)) === "active" ? true : undefined,
    );
    const onA = await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
    expect(onA).toEqual(await ids(pair.b.url, B_INDEX));
    expect(onA).toEqual(expect.arrayContaining(["after-failover-0", "after-failover-4", "order-0", "order-49"]));
    expect(await outputs("dr-a")).toMatchObject({ primary: "clusterB", role: "follower" });
    expect(await historyEntries("dr-a")).toBe(2);
    expect(await lockObjects("dr-a")).toEqual([]);
  });

  test("two operators update dr-b at once: the second is refused by the lock in the bucket, naming it", async () => {
    const rebuiltA = checkout("site-a-rebuilt", siteB.workDir);
    const before = await historyEntries("dr-b");
    // Site B's operator re-runs the failover (a no-change update of dr-b); its `pulumi up` is held
    // (SIGSTOP) while it holds the lock, as a slow update would be.
    const first = ccrDr(siteB, ["failover", "--to", "clusterB", "--yes", "--no-plan"]);
    const lockKey = await eventually("site B's update to lock dr-b", async () => (await lockObjects("dr-b"))[0], 120_000);
    const holder = JSON.parse((await store.get(lockKey))!.toString()) as { pid: number; hostname: string };
    process.kill(holder.pid, "SIGSTOP");
    try {
      // Pulumi names the lock object by the backend URL (query included) and its holder
      const lockNamed = new RegExp(
        `s3://${store.bucket}/${lockKey.replace(/[.]/g, "\\.")}\\?endpoint=\\S+: created by \\S+@${holder.hostname} \\(pid ${holder.pid}\\)`,
      );
      // site A's operator, with ccr-dr …
      const second = await ccrDr(rebuiltA, ["failover", "--to", "clusterB", "--yes", "--no-plan"]).done;
      expect(second.code).toBe(1);
      expect(second.json.error).toContain("stack dr-b (clusterB) is locked by another update");
      expect(second.json.error).toContain("the stack is currently locked by 1 lock(s)");
      expect(second.json.error).toMatch(lockNamed);
      // … and with plain pulumi
      const plain = await pulumiIn(rebuiltA, ["up", "--yes", "--skip-preview", "-s", "dr-b"]);
      expect(plain.code).not.toBe(0);
      expect(plain.output).toContain("the stack is currently locked by 1 lock(s)");
      expect(plain.output).toMatch(lockNamed);
    } finally {
      process.kill(holder.pid, "SIGCONT");
    }
    const r = await first.done;
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(await lockObjects("dr-b")).toEqual([]);
    expect(await historyEntries("dr-b")).toBe(before + 1); // the refused updates recorded nothing
    expect(await outputs("dr-b")).toMatchObject({ primary: "clusterB", role: "primary" });
    expect(await followStatus(pair.b.url, B_INDEX)).toBe("none");
    expect(await followStatus(pair.a.url, A_INDEX)).toBe("active");
  });

  test("a lock from another machine with this host name is not removed as stale: ccr-dr refuses and keeps it", async () => {
    // What a `pulumi up` running at the other site, on a machine named like this one, keeps in the
    // bucket; its pid runs there, not here (an unused pid here: beyond pid_max).
    const lockKey = `${LOCKS}/dr-b/${crypto.randomUUID()}.json`;
    const lock = { pid: 4_194_304 + 17, username: os.userInfo().username, hostname: os.hostname(), timestamp: new Date().toISOString() };
    await store.put(lockKey, JSON.stringify(lock));
    const r = await ccrDr(siteB, ["failover", "--to", "clusterB", "--yes", "--no-plan"]).done;
    expect(r.code).toBe(1);
    expect(r.json.error).toContain("stack dr-b (clusterB) is locked by another update");
    expect(r.json.error).toContain(`s3://${store.bucket}/${lockKey}`);
    expect(await lockObjects("dr-b")).toEqual([lockKey]);
    // the other site's update ended: its operator removes the lock as the message says
    expect((await pulumiIn(siteB, ["cancel", "--yes", "-s", "dr-b"])).code).toBe(0);
    expect(await lockObjects("dr-b")).toEqual([]);
  });
});
