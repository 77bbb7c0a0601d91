/** cli/doctor/checks.ts: each check's verdict from what was read, by table. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type CheckResult,
  compareStackFiles,
  deployedCheck,
  DOCTOR_EXIT,
  doctorExitCode,
  formatResult,
  parseStackFile,
  primaryCheck,
  privilegesCheck,
  privilegesNeeded,
  reachableCheck,
  remoteCheck,
  type StackFile,
} from "../../../../cli/doctor/checks";
import { EsCallError } from "../../../../es/errors";
import type { RemoteInfo } from "../../../../es/cluster";
import type { PrivilegesHeld } from "../../../../es/security";
import { parseSiteConfig, type RawConfig } from "../../../../stack/config";

const clusters = () => ({
  clusterA: { endpoint: "http://127.0.0.1:9200", mode: "proxy", proxyAddress: "127.0.0.1:9300", username: "ccr", password: "pw-a" },
  clusterB: { endpoint: "http://127.0.0.1:9201", mode: "proxy", proxyAddress: "127.0.0.1:9301", username: "ccr", password: "pw-b" },
});
const raw = (site: "clusterA" | "clusterB", over: Partial<RawConfig> = {}): RawConfig => ({
  site,
  primary: "clusterA",
  clusters: clusters(),
  indices: [
    { clusterA: "orders", clusterB: "orders2" },
    { clusterA: "logs", clusterB: "logs" },
  ],
  ...over,
});
const file = (cluster: "clusterA" | "clusterB", r: RawConfig): StackFile => {
  const stack = cluster === "clusterA" ? "dr-a" : "dr-b";
  return { cluster, stack, file: `Pulumi.${stack}.yaml`, raw: r };
};
const A = (over: Partial<RawConfig> = {}) => file("clusterA", raw("clusterA", over));
const B = (over: Partial<RawConfig> = {}) => file("clusterB", raw("clusterB", over));
const withConfig = (s: StackFile) => ({ ...s, config: parseSiteConfig(s.raw) });
const states = (rs: CheckResult[]) => rs.map((r) => r.state);

describe("compareStackFiles", () => {
  const moved = clusters();
  moved.clusterA.proxyAddress = "127.0.0.1:9399";
  const otherPassword = clusters();
  otherPassword.clusterB.password = "other";
  const cases: Array<[string, StackFile, StackFile, Array<[string, RegExp]>]> = [
    ["identical files pass", A(), B(), [["passed", /agree on ccr-dr:clusters, ccr-dr:indices/]]],
    ["primary and fenced may differ", A({ primary: "clusterB", fenced: true }), B(), [["passed", /agree/]]],
    [
      "a different proxy address names the key and both files",
      A(),
      B({ clusters: moved }),
      [
        [
          "failed",
          /^ccr-dr:clusters\.clusterA\.proxyAddress differs: Pulumi\.dr-a\.yaml has "127\.0\.0\.1:9300", Pulumi\.dr-b\.yaml has "127\.0\.0\.1:9399"$/,
        ],
      ],
    ],
    [
      "a different password is reported without its value",
      A(),
      B({ clusters: otherPassword }),
      [
        [
          "failed",
          /^ccr-dr:clusters\.clusterB\.password differs: Pulumi\.dr-a\.yaml has a value, Pulumi\.dr-b\.yaml has a different value \(not shown\)$/,
        ],
      ],
    ],
    [
      "a pair missing on one side names the file that lacks it",
      A(),
      B({ indices: [{ clusterA: "orders", clusterB: "orders2" }] }),
      [["failed", /^ccr-dr:indices of Pulumi\.dr-b\.yaml lacks the pair \{clusterA: logs, clusterB: logs\} that Pulumi\.dr-a\.yaml has$/]],
    ],
    [
      "pairs in another order agree",
      A(),
      B({
        indices: [
          { clusterA: "logs", clusterB: "logs" },
          { clusterA: "orders", clusterB: "orders2" },
        ],
      }),
      [["passed", /agree/]],
    ],
    [
      "auto-follow patterns that differ fail",
      A({ autoFollowPatterns: [{ name: "p", leaderIndexPatterns: ["logs-*"] }] }),
      B(),
      [["failed", /^ccr-dr:autoFollowPatterns differs/]],
    ],
  ];
  test.each(cases)("%s", (_name, a, b, want) => {
    const got = compareStackFiles(a, b);
    expect(got.map((r) => [r.state, r.message])).toEqual(want.map(([s, m]) => [s, expect.stringMatching(m)]));
    for (const r of got) {
      expect(r.check).toBe("stack-files");
      if (r.state === "failed") expect(r.fix).toBeTruthy();
      expect(formatResult(r)).not.toMatch(/pw-|other/);
    }
  });
});

describe("compareStackFiles with ccr-dr:indicesFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-doctor-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const inFile = (cluster: "clusterA" | "clusterB", name: string, text: string | undefined): StackFile => {
    if (text !== undefined) fs.writeFileSync(path.join(dir, name), text);
    return { ...file(cluster, raw(cluster, { indices: [], indicesFile: name })), projectDir: dir };
  };

  test("the pairs of the files are compared (not the empty ccr-dr:indices both then have)", () => {
    const same = compareStackFiles(inFile("clusterA", "a.pairs", "orders orders2\nlogs\n"), B());
    expect(states(same)).toEqual(["passed"]);
    const differ = compareStackFiles(
      inFile("clusterA", "a2.pairs", "orders orders2\n"),
      inFile("clusterB", "b2.pairs", "orders orders2\nextra\n"),
    );
    expect(differ.map((r) => [r.state, r.message])).toEqual([
      [
        "failed",
        "ccr-dr:indicesFile a2.pairs of Pulumi.dr-a.yaml lacks the pair {clusterA: extra, clusterB: extra} that Pulumi.dr-b.yaml has",
      ],
    ]);
  });

  test("a file that cannot be read or has errors: unknown, never an agreement", () => {
    const got = compareStackFiles(inFile("clusterA", "missing.pairs", undefined), B());
    expect(got.map((r) => [r.state, r.message])).toEqual([
      [
        "unknown",
        "the index pairs of Pulumi.dr-a.yaml could not be compared: ccr-dr:indicesFile cannot be read or has errors (see stack-config)",
      ],
    ]);
    expect(states(compareStackFiles(A(), inFile("clusterB", "bad.pairs", "Bad\n")))).toEqual(["unknown"]);
  });
});

describe("parseStackFile", () => {
  test.each<[string, StackFile, string[], RegExp]>([
    ["a valid file of its site", A(), ["passed"], /valid site stack of clusterA/],
    [
      "the site of the other stack",
      file("clusterB", raw("clusterA")),
      ["failed"],
      /Pulumi\.dr-b\.yaml: ccr-dr:site is clusterA, but stack dr-b is the stack of clusterB/,
    ],
    [
      "a bad value names the file and the key",
      A({ primary: "clusterC" }),
      ["failed"],
      /^Pulumi\.dr-a\.yaml: ccr-dr:primary \[clusterC\] is unknown/,
    ],
  ])("%s", (_n, s, want, message) => {
    const { results } = parseStackFile(s);
    expect(states(results)).toEqual(want);
    expect(results[0]!.message).toMatch(message);
  });
});

test.each<[string, "clusterA" | "clusterB", "passed" | "failed"]>([
  ["same primary", "clusterA", "passed"],
  ["a failover without its failback", "clusterB", "failed"],
])("primaryCheck: %s", (_n, bPrimary, state) => {
  const r = primaryCheck(withConfig(A()), withConfig(B({ primary: bPrimary })));
  expect(r.state).toBe(state);
  if (state === "failed") expect(r.fix).toMatch(/ccr-dr failback/);
});

test.each<[string, string | undefined, string | undefined, "passed" | "failed" | "unknown", RegExp]>([
  ["matches the last deployment", "clusterA", undefined, "passed", /names the primary stack dr-b last deployed/],
  ["never deployed", undefined, undefined, "unknown", /has not been deployed yet/],
  ["outputs unreadable", undefined, "boom", "unknown", /could not be read: boom/],
  [
    "a flip that was not committed",
    "clusterB",
    undefined,
    "failed",
    /has ccr-dr:primary clusterA, but the last `pulumi up -s dr-b` deployed clusterB/,
  ],
])("deployedCheck: %s", (_n, deployed, error, state, message) => {
  const r = deployedCheck(withConfig(B()), deployed, error);
  expect([r.state, r.message]).toEqual([state, expect.stringMatching(message)]);
});

test("reachableCheck", () => {
  expect(reachableCheck("clusterA", "http://x:9200").state).toBe("passed");
  const r = reachableCheck("clusterA", "http://x:9200", "cannot connect");
  expect([r.state, r.message, r.fix]).toEqual([
    "failed",
    "clusterA does not answer at http://x:9200: cannot connect",
    expect.stringMatching(/endpoint/),
  ]);
});

describe("remoteCheck (clusterB's view of clusterA)", () => {
  const cfg = parseSiteConfig(raw("clusterB"));
  const info = (over: Partial<RemoteInfo>): Record<string, RemoteInfo> => ({
    clusterA: { connected: true, mode: "proxy", proxyAddress: "127.0.0.1:9300", skipUnavailable: true, ...over },
  });
  test.each<[string, { remotes: Record<string, RemoteInfo> } | { error: string }, "passed" | "failed" | "unknown", RegExp]>([
    ["connected as configured", { remotes: info({}) }, "passed", /clusterB is connected to its remote clusterA at 127\.0\.0\.1:9300/],
    ["not connected", { remotes: info({ connected: false }) }, "failed", /clusterB cannot reach its remote clusterA at 127\.0\.0\.1:9300/],
    [
      "another address",
      { remotes: info({ proxyAddress: "10.0.0.1:9300" }) },
      "failed",
      /points at 10\.0\.0\.1:9300, the stack files say 127\.0\.0\.1:9300/,
    ],
    ["another mode", { remotes: info({ mode: "sniff" }) }, "failed", /is in sniff mode, the stack files say proxy/],
    ["not registered yet", { remotes: {} }, "unknown", /no remote cluster clusterA registered yet/],
    ["unreadable", { error: "timeout" }, "unknown", /could not be read: timeout/],
  ])("%s", (_n, read, state, message) => {
    const r = remoteCheck("clusterB", cfg, read);
    expect([r.check, r.subject, r.state, r.message]).toEqual(["remote", "clusterB → clusterA", state, expect.stringMatching(message)]);
  });
});

describe("privilegesCheck", () => {
  const cfg = parseSiteConfig(raw("clusterB"));
  const query = privilegesNeeded(cfg, "clusterB");
  const all = (v: boolean): PrivilegesHeld => ({
    username: "ccr",
    hasAllRequested: v,
    cluster: Object.fromEntries(query.cluster.map((p) => [p, v])),
    index: Object.fromEntries(query.index.flatMap((g) => g.names.map((n) => [n, Object.fromEntries(g.privileges.map((p) => [p, v]))]))),
  });
  const lacking = all(true);
  lacking.cluster["manage_ccr"] = false;
  lacking.index["orders2"]!["manage_follow_index"] = false;
  const esError = (status: number, reason: string) =>
    new EsCallError({
      cluster: "clusterB",
      operation: "security.has_privileges",
      kind: "response",
      status,
      reason,
      esType: "x",
      hint: "h",
    });

  test("asks for the CCR privileges on the cluster's own index names and the quarantine indices", () => {
    expect(query).toEqual({
      cluster: ["manage_ccr", "monitor", "manage"],
      index: [
        { names: ["orders2", "logs"], privileges: ["manage_follow_index", "monitor", "read", "manage_leader_index", "write", "manage"] },
        { names: ["ccr-dr-quarantine-*"], privileges: ["manage", "read", "write"] },
      ],
    });
  });
  test.each<[string, { held: PrivilegesHeld } | { error: unknown }, "passed" | "failed" | "unknown", RegExp]>([
    ["every privilege held", { held: all(true) }, "passed", /user ccr on clusterB holds every privilege/],
    ["some missing", { held: lacking }, "failed", /^user ccr on clusterB lacks cluster manage_ccr; manage_follow_index on orders2$/],
    [
      "credentials rejected",
      { error: esError(401, "unable to authenticate user [ccr]") },
      "failed",
      /rejects the configured credentials \(401\)/,
    ],
    [
      "no security API (es-sim today)",
      { error: esError(400, "no handler found for uri") },
      "unknown",
      /could not be checked: no handler found/,
    ],
    ["not reachable", { error: new Error("socket hang up") }, "unknown", /could not be checked: socket hang up/],
  ])("%s", (_n, read, state, message) => {
    const r = privilegesCheck("clusterB", query, read);
    expect([r.state, r.message]).toEqual([state, expect.stringMatching(message)]);
  });
});

test.each<[string, Array<CheckResult["state"]>, number]>([
  ["all passed", ["passed", "passed"], DOCTOR_EXIT.passed],
  ["unknown is not passed", ["passed", "unknown"], DOCTOR_EXIT.unknown],
  ["failed wins", ["unknown", "failed", "passed"], DOCTOR_EXIT.failed],
])("doctorExitCode: %s", (_n, s, code) => {
  expect(doctorExitCode(s.map((state) => ({ check: "x", subject: "y", state, message: "m" })))).toBe(code);
});

test("formatResult: one line, unknown with its reason, the fix after failures", () => {
  expect(formatResult({ check: "privileges", subject: "clusterA", state: "unknown", message: "no API" })).toBe(
    "UNKNOWN privileges clusterA: unknown (no API)",
  );
  expect(formatResult({ check: "remote", subject: "clusterB → clusterA", state: "failed", message: "down", fix: "start it" })).toBe(
    "FAILED  remote clusterB → clusterA: down — fix: start it",
  );
});
