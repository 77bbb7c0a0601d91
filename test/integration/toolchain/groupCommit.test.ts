/**
 * The self-built CLI's group commit (scripts/toolchain/pulumi-cli/patches/snapshot-group-commit.patch):
 * state writes that are requested while one is in progress are made as one, instead of one whole-state
 * write before and one after every step — the cost that grew with the square of the index pairs
 * (bench/README.md). A throw-away program creates RESOURCES dynamic resources in parallel whose
 * creates all wait for each other (a file barrier), so their ends reach the state at once; with
 * PULUMI_RETAIN_CHECKPOINTS the file backend keeps a copy of every state file it writes, which
 * this test counts. One write per mutation is 2 × RESOURCES + 2 (the stack) or more; the last
 * retained copy must still hold every resource. Crash safety (a kill -9 between any two steps)
 * is the fault matrix's: test/integration/faults/*.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../../cli/toolchain";
import { localStack, TestBackend, withTestBackend } from "../../helpers/pulumi";

const RESOURCES = 24;

const program = `
const pulumi = require("@pulumi/pulumi");
// Each create records itself, then waits until all ${RESOURCES} have started (or 20 s).
const provider = {
  async create(inputs) {
    const fs = require("fs");
    fs.appendFileSync(inputs.barrier, inputs.name + "\\n");
    const deadline = Date.now() + 20000;
    while (fs.readFileSync(inputs.barrier, "utf8").split("\\n").filter(Boolean).length < inputs.of && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return { id: inputs.name, outs: inputs };
  },
  async delete() {},
};
class Waiter extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(provider, name, args, undefined, "groupCommit", "Waiter");
  }
}
const cfg = new pulumi.Config();
for (let i = 0; i < ${RESOURCES}; i++) new Waiter("w" + i, { name: "w" + i, barrier: cfg.require("barrier"), of: ${RESOURCES} });
`;

describe("state writes of the self-built CLI", () => {
  let backend: TestBackend;
  let workDir: string;

  beforeAll(async () => {
    backend = await withTestBackend();
    workDir = path.join(backend.dir, "program");
    fs.mkdirSync(workDir);
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: groupcommit\nruntime: nodejs\n");
    fs.writeFileSync(path.join(workDir, "index.js"), program);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"));
  });
  afterAll(() => backend?.cleanup());

  test(`${RESOURCES} parallel creates are recorded in fewer than one write per resource, the last write holding all`, async () => {
    backend.env.PULUMI_RETAIN_CHECKPOINTS = "true";
    backend.env.PULUMI_PARALLEL = String(RESOURCES);
    const stack = await localStack(backend, workDir, "gc");
    await stack.setConfig("groupcommit:barrier", { value: path.join(backend.dir, "barrier.txt") });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: RESOURCES + 1 });

    const stackDir = path.join(backend.dir, "state", ".pulumi", "stacks", "groupcommit");
    const retained = fs
      .readdirSync(stackDir)
      .filter((f) => /^gc\.json\.\d+$/.test(f))
      .sort((a, b) => Number(BigInt(a.split(".").pop()!) - BigInt(b.split(".").pop()!)));
    // One write per mutation would be 2 × 25 = 50 (plus the outputs); the batches make it far fewer.
    expect(retained.length).toBeGreaterThan(0);
    expect(retained.length).toBeLessThan(RESOURCES);
    const last = JSON.parse(fs.readFileSync(path.join(stackDir, retained.at(-1)!), "utf8")) as {
      checkpoint: { latest: { resources: Array<{ type: string }>; pending_operations?: unknown[] } };
    };
    expect(last.checkpoint.latest.resources.filter((r) => r.type.endsWith("Waiter"))).toHaveLength(RESOURCES);
    expect(last.checkpoint.latest.pending_operations ?? []).toEqual([]);
  });
});
