/**
 * Plain Pulumi and pipelines out of the box, on a fresh clone of this repository (its committed
 * HEAD, node_modules hard-linked as `npm ci` would leave them): `npm run setup` twice creates the
 * rehearsal backend and both site stacks and then changes nothing; plain `pulumi` through the
 * wrapper lists them and tries no plugin download; `ccr-dr doctor` passes on a good es-sim pair
 * and names the stack file and key that disagree; the Pipelines examples of docs/runbook.md run as
 * written there (extracted from the page), ending in a failover whose decision is in the stack file.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { DOCTOR_EXIT } from "../../../cli/doctor/checks";
import { doctorSchema } from "../../../cli/doctor/schema";
import { repoRoot } from "../../../cli/toolchain";
import { spawnSim, type SpawnedSim } from "../../../sim/spawn";
import { A_INDEX, B_INDEX, inSync, loadOrders } from "../../helpers/drPair";
import { http } from "../../helpers/sim";

jest.setTimeout(600_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let clone: string;
/** The job's environment: no backend or passphrase of the test runner's, a home of its own. */
let env: NodeJS.ProcessEnv;
let a: SpawnedSim | undefined;
let b: SpawnedSim | undefined;

function run(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: clone, env: { ...env, ...extraEnv }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const wrapped = (...args: string[]) => run("bash", ["scripts/with-toolchain.sh", ...args]);
const validDoctor = new Ajv({ allErrors: true, strict: false }).compile(doctorSchema);
const doctorJson = async () => {
  const r = await wrapped("bin/ccr-dr", "doctor", "--json");
  if (!validDoctor(JSON.parse(r.stdout)))
    throw new Error(`doctor --json does not match its schema: ${JSON.stringify(validDoctor.errors)}\n${r.stdout}`);
  return { ...r, json: JSON.parse(r.stdout) as { ok: boolean; exitCode: number; checks: Array<Record<string, string>> } };
};
const stackFile = (s: string) => path.join(clone, `Pulumi.${s}.yaml`);
const read = (f: string) => fs.readFileSync(f, "utf8");

/** Every file under `d` with its content, to show that a second setup changed nothing. */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const f = path.join(p, e.name);
      if (e.isDirectory()) walk(f);
      else out[path.relative(d, f)] = `${fs.statSync(f).mtimeMs} ${fs.readFileSync(f, "utf8")}`;
    }
  };
  walk(d);
  return out;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-setup-"));
  clone = path.join(dir, "repo");
  env = { ...process.env, PULUMI_HOME: path.join(dir, "pulumi-home") };
  for (const k of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) delete env[k];
  const git = await new Promise<Run>((resolve) =>
    execFile("git", ["clone", "--quiet", repoRoot, clone], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
  );
  if (git.code !== 0) throw new Error(`git clone failed: ${git.stderr}`);
  // As `npm ci` leaves it: the installed packages, stamped no older than the lock file.
  const cp = await run("cp", ["-al", path.join(repoRoot, "node_modules"), path.join(clone, "node_modules")]);
  if (cp.code !== 0) throw new Error(`cp -al node_modules failed: ${cp.stderr}`);
  await run("touch", ["-r", path.join(clone, "node_modules", ".package-lock.json"), path.join(clone, "package-lock.json")]);
});

afterAll(async () => {
  await a?.cleanup();
  await b?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("npm run setup on a fresh clone creates the backend and both stacks; a second run changes nothing", async () => {
  expect(fs.existsSync(path.join(clone, ".pulumi-state"))).toBe(false);
  const first = await run("npm", ["run", "--silent", "setup"]);
  expect(first).toMatchObject({ code: 0 });
  expect(first.stderr).toMatch(/stack dr-a created on file:\/\//);
  expect(first.stderr).toMatch(/stack dr-b created on file:\/\//);
  const files = { a: read(stackFile("dr-a")), b: read(stackFile("dr-b")) };
  const backend = snapshot(path.join(clone, ".pulumi-state"));

  const second = await run("npm", ["run", "--silent", "setup"]);
  expect(second).toMatchObject({ code: 0 });
  expect(second.stderr).toMatch(/stack dr-a exists on file:\/\/.* \(left as it is\)/);
  expect(second.stderr).toMatch(/stack dr-b exists on file:\/\/.* \(left as it is\)/);
  expect({ a: read(stackFile("dr-a")), b: read(stackFile("dr-b")) }).toEqual(files);
  expect(snapshot(path.join(clone, ".pulumi-state"))).toEqual(backend);

  // Plain pulumi through the documented wrapper.
  const ls = await wrapped("pulumi", "stack", "ls", "--json");
  expect(ls.code).toBe(0);
  expect((JSON.parse(ls.stdout) as Array<{ name: string }>).map((s) => s.name).sort()).toEqual(["dr-a", "dr-b"]);
  // Only Pulumi's own salt was added to the stack files; nothing else in the checkout changed.
  const status = await run("git", ["status", "--porcelain"]);
  expect(status.stdout.split("\n").filter(Boolean).sort()).toEqual([" M Pulumi.dr-a.yaml", " M Pulumi.dr-b.yaml"]);
  const diff = await run("git", ["diff", "-U0", "--no-color"]);
  expect(diff.stdout.split("\n").filter((l) => /^[+-][^+-]/.test(l))).toEqual([
    expect.stringMatching(/^\+encryptionsalt: v1:/),
    expect.stringMatching(/^\+encryptionsalt: v1:/),
  ]);
});

describe("on an es-sim pair", () => {
  beforeAll(async () => {
    [a, b] = await Promise.all([
      spawnSim({ clusterName: "clusterA", dataDir: fs.mkdtempSync(path.join(dir, "a-")) }),
      spawnSim({ clusterName: "clusterB", dataDir: fs.mkdtempSync(path.join(dir, "b-")) }),
    ]);
    // What an operator does: point both stack files at the clusters.
    for (const s of ["dr-a", "dr-b"]) {
      const text = read(stackFile(s))
        .replace("http://127.0.0.1:9200", a.url)
        .replace("127.0.0.1:9300", a.transportAddress)
        .replace("http://127.0.0.1:9201", b.url)
        .replace("127.0.0.1:9301", b.transportAddress);
      fs.writeFileSync(stackFile(s), text);
    }
    await loadOrders(a.url, A_INDEX, 20);
    // "Bring both sites up once" (docs/runbook.md), with plain pulumi through the wrapper.
    for (const s of ["dr-b", "dr-a"]) {
      const up = await wrapped("pulumi", "up", "--yes", "--skip-preview", "-s", s);
      if (up.code !== 0) throw new Error(`pulumi up -s ${s} failed:\n${up.stdout}\n${up.stderr}`);
    }
    await inSync(a.url, A_INDEX, b.url, B_INDEX);
  });

  test("plain pulumi outside the wrapper's switches tries no plugin download", async () => {
    // Without PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, as a pipeline that sets only PATH,
    // backend and passphrase: the program must need no plugin that is not installed.
    const r = await run("pulumi", ["preview", "-s", "dr-b", "--logtostderr", "-v=7"], {
      PATH: `${path.join(clone, ".tools", "bin")}${path.delimiter}${env.PATH}`,
      PULUMI_BACKEND_URL: `file://${path.join(clone, ".pulumi-state")}`,
      PULUMI_CONFIG_PASSPHRASE: "ccr-dr-local",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/trying direct download|InstallPlugin\(\): failed|is required by language host/);
  });

  test("doctor passes on a good pair; privileges are checked or reported unknown with the reason", async () => {
    const r = await doctorJson();
    const others = r.json.checks.filter((c) => c.check !== "privileges");
    expect(others.map((c) => [c.check, c.subject, c.state])).toEqual([
      ["stack-files", "Pulumi.dr-a.yaml and Pulumi.dr-b.yaml", "passed"],
      ["stack-config", "Pulumi.dr-a.yaml", "passed"],
      ["stack-config", "Pulumi.dr-b.yaml", "passed"],
      ["primary", "Pulumi.dr-a.yaml and Pulumi.dr-b.yaml", "passed"],
      ["deployed", "Pulumi.dr-a.yaml", "passed"],
      ["deployed", "Pulumi.dr-b.yaml", "passed"],
      ["reachable", "clusterA", "passed"],
      ["remote", "clusterA → clusterB", "passed"],
      ["reachable", "clusterB", "passed"],
      ["remote", "clusterB → clusterA", "passed"],
    ]);
    // What the cluster itself says about the API decides what doctor may claim.
    const direct = await http(a!.url, "POST", "/_security/user/_has_privileges", { cluster: ["manage_ccr"] });
    const privileges = r.json.checks.filter((c) => c.check === "privileges");
    expect(privileges.map((c) => c.subject)).toEqual(["clusterA", "clusterB"]);
    if (direct.status === 200) {
      for (const c of privileges) expect(c.state).not.toBe("unknown");
    } else {
      for (const c of privileges) expect([c.state, c.message]).toEqual(["unknown", expect.stringMatching(/could not be checked: /)]);
      expect(r.code).toBe(DOCTOR_EXIT.unknown);
      expect(r.json).toMatchObject({ ok: false, exitCode: DOCTOR_EXIT.unknown, failed: 0 });
    }
    if (privileges.every((c) => c.state === "passed")) expect(r.code).toBe(DOCTOR_EXIT.passed);
  });

  test("doctor names the stack file and the key that disagree, and exits non-zero", async () => {
    const good = read(stackFile("dr-b"));
    fs.writeFileSync(stackFile("dr-b"), good.replace(a!.transportAddress, "127.0.0.1:1"));
    try {
      const r = await doctorJson();
      expect(r.code).toBe(DOCTOR_EXIT.failed);
      expect(r.json.checks.filter((c) => c.state === "failed" && c.check === "stack-files")).toEqual([
        expect.objectContaining({
          message: `ccr-dr:clusters.clusterA.proxyAddress differs: Pulumi.dr-a.yaml has "${a!.transportAddress}", Pulumi.dr-b.yaml has "127.0.0.1:1"`,
          fix: expect.stringContaining("same value in both stack files"),
        }),
      ]);
      // clusterB's registered remote still points at the address it was deployed with.
      expect(r.json.checks.find((c) => c.check === "remote" && c.subject === "clusterB → clusterA")).toMatchObject({
        state: "failed",
        message: expect.stringContaining(`points at ${a!.transportAddress}, the stack files say 127.0.0.1:1`),
      });
      const human = await wrapped("bin/ccr-dr", "doctor");
      expect(human.code).toBe(DOCTOR_EXIT.failed);
      expect(human.stdout).toMatch(/^FAILED {2}stack-files .*ccr-dr:clusters\.clusterA\.proxyAddress differs: .* — fix: /m);
    } finally {
      fs.writeFileSync(stackFile("dr-b"), good);
    }
  });

  test("the Pipelines examples of docs/runbook.md run as written", async () => {
    const page = read(path.join(clone, "docs", "runbook.md"));
    const section = page.slice(page.indexOf("\n## Pipelines\n"), page.indexOf("\n## ", page.indexOf("\n## Pipelines\n") + 5));
    const examples = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => {
      const code = m[1]!;
      const file = /^\/\/ (ci\/[\w-]+\.ts) — /.exec(code)?.[1];
      const command = /^\/\/ Run: (.+)$/m.exec(code)?.[1];
      if (!file || !command) throw new Error(`a Pipelines example without its "// ci/<name>.ts — " and "// Run: " lines:\n${code}`);
      return { file, command, code };
    });
    expect(examples.map((e) => e.file)).toEqual(["ci/preview.ts", "ci/failover.ts"]);
    const runExample = (e: (typeof examples)[number]) => {
      fs.mkdirSync(path.join(clone, path.dirname(e.file)), { recursive: true });
      fs.writeFileSync(path.join(clone, e.file), e.code);
      return run("bash", ["-c", e.command]);
    };

    const preview = await runExample(examples[0]!);
    expect(preview).toMatchObject({ code: 0 });
    expect(preview.stdout).toMatch(/^dr-a: \{.*"same":\d+.*\}\ndr-b: \{.*"same":\d+.*\}\n$/);

    // The disaster: clusterA dies; the pipeline fails over to clusterB.
    await a!.kill("SIGKILL");
    const failover = await runExample(examples[1]!);
    expect(failover).toMatchObject({ code: 0 });
    expect(failover.stdout).toMatch(/^failover to clusterB done: \d+ operation\(s\), RTO \d+\.\d s\n$/);
    const write = await http(b!.url, "PUT", `/${B_INDEX}/_doc/after-failover?refresh=true`, { user: "kimchy" });
    expect(write.status).toBe(201);
    // The decision is in the stack file, to be committed by the job.
    expect(read(stackFile("dr-b"))).toMatch(/^ {2}ccr-dr:primary: clusterB$/m);
    expect(read(stackFile("dr-a"))).toMatch(/^ {2}ccr-dr:primary: clusterA$/m);

    const after = await doctorJson();
    expect(after.code).toBe(DOCTOR_EXIT.failed);
    const state = (check: string, subject: string) => after.json.checks.find((c) => c.check === check && c.subject === subject)?.state;
    expect(state("deployed", "Pulumi.dr-b.yaml")).toBe("passed");
    expect(state("primary", "Pulumi.dr-a.yaml and Pulumi.dr-b.yaml")).toBe("failed");
    expect(state("reachable", "clusterA")).toBe("failed");
  });
});
