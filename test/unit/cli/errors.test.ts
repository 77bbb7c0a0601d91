/**
 * cli/errors.ts `pulumiFailure`: the one meaningful line of a failed Automation API command, over
 * outputs captured from real `pulumi` runs of this program against es-sim (test/fixtures/pulumiErrors).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiFailure, stripAnsi } from "../../../cli/errors";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "../../fixtures/pulumiErrors", name), "utf8");

const FOLLOW_FAILED =
  'FollowerIndex nosuch2: FollowerIndex "nosuch2" on cluster "clusterB": step 1/2 "follow clusterA:nosuch into "nosuch2"" failed (nothing was changed before it). ccr.follow for index "nosuch2" on cluster "clusterB" failed: 404 index_not_found_exception: no such index [nosuch]. Likely fix: check leaderIndex: the leader index must exist on the remote cluster. Every step is skipped when its effect is already there, so re-running `pulumi up` continues from here.';

test.each([
  ["provider-error.txt", { message: FOLLOW_FAILED, badConfiguration: false, planViolation: false, cancelled: false }],
  ["provider-error-ansi.txt", { message: FOLLOW_FAILED, badConfiguration: false, planViolation: false, cancelled: false }],
  [
    "cluster-unreachable.txt",
    {
      message: expect.stringMatching(
        /^FollowerIndex kibana_sample_data_ecommerce2: indices\.get for index "kibana_sample_data_ecommerce2" on cluster "clusterB" failed: cannot connect \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\. Likely fix: check that cluster "clusterB" is up/,
      ),
      badConfiguration: false,
      planViolation: false,
      cancelled: false,
    },
  ],
  [
    "plan-violation.txt",
    {
      message:
        "pulumi-nodejs default: resource urn:pulumi:dr-b::ccr-dr::pulumi:providers:pulumi-nodejs::default violates plan: properties changed: ~=ccr-dr:primary[{clusterB}!={clusterA}]",
      badConfiguration: false,
      planViolation: true,
      cancelled: false,
    },
  ],
  [
    "invalid-yaml.txt",
    {
      message: "invalid YAML file: yaml: line 3: mapping values are not allowed in this context",
      badConfiguration: true,
      planViolation: false,
      cancelled: false,
    },
  ],
  [
    "config-type.txt",
    {
      message: "validating stack config: Stack 'dr-b' with configuration key 'indices' must be of type 'array<object>'",
      badConfiguration: true,
      planViolation: false,
      cancelled: false,
    },
  ],
  ["cancelled.txt", { message: "context canceled", badConfiguration: false, planViolation: false, cancelled: true }],
  // The program's preview lines are warnings of the stack, before its error: not the failure.
  ["cancelled-after-warnings.txt", { message: "context canceled", badConfiguration: false, planViolation: false, cancelled: true }],
])("%s", (name, want) => {
  const raw = fixture(name);
  const f = pulumiFailure(raw);
  expect(f).toEqual(want);
  expect(f.message).not.toContain("\n");
  expect(f.message).not.toContain("\u001b");
});

test("the message of an output with no Diagnostics section is its first line that says something", () => {
  expect(pulumiFailure("code: 255\n stdout: \n stderr: \nsomething odd happened\n").message).toBe("something odd happened");
});

test("stripAnsi removes colour and cursor sequences", () => {
  expect(stripAnsi("\u001b[38;5;1merror: \u001b[0m\u001b[0mboom\u001b[2K")).toBe("error: boom");
});
