/**
 * The self-built CLI's group commit (scripts/toolchain/pulumi-cli/patches/snapshot-group-commit.patch):
 * state writes that are requested while one is in progress are made as one, instead of one whole-state
 * write before and one after every step — the cost that grew with the square of the index pairs
 * (bench/README.md). A throw-away program creates RESOURCES dynamic resources in parallel whose
 * creates all wait for each other and return together, so their ends reach the state at once; with
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
// Each create waits until all ${RESOURCES} have started, then all return in the same tick (one
// provider process serves them all), so their ends reach the state together.
const provider = {
  async create(inputs) {
    const b = (globalThis.barrier ??= { waiting: [] });
    await new Promise((resolve) => {
      b.waiting.push(resolve);
      if (b.waiting.length === inputs.of) for (const r of b.waiting) r();
    });
    return { id: inputs.name, outs: inputs };
  },
  async delete() {},
};
class Waiter extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(provider, name, args, undefined, "groupCommit", "Waiter");
  }
}
for (let i = 0; i < ${RESOURCES}; i++) new Waiter("w" + i, { name: "w" + i, of: ${RESOURCES} });
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

  test(`${RESOURCES} parallel creates are recorded in far fewer writes than one per mutation, the last holding all`, async () => {
    backend.env.PULUMI_RETAIN_CHECKPOINTS = "true";
    backend.env.PULUMI_PARALLEL = String(RESOURCES);
    const stack = await localStack(backend, workDir, "gc");
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: RESOURCES + 1 });

    const stackDir = path.join(backend.dir, "state", ".pulumi", "stacks", "groupcommit");
    const retained = fs
      .readdirSync(stackDir)
      .filter((f) => /^gc\.json\.\d+$/.test(f))
      .sort((a, b) => Number(BigInt(a.split(".").pop()!) - BigInt(b.split(".").pop()!)));
    // One write per mutation: 2 × 25 (creates and the stack) and more. Batched: at worst one per
    // create's start (the program registers them one by one; on a busy machine they batch too),
    // the ends in a few.
    expect(retained.length).toBeGreaterThan(0);
    expect(retained.length).toBeLessThan(RESOURCES + 10);
    const last = JSON.parse(fs.readFileSync(path.join(stackDir, retained.at(-1)!), "utf8")) as {
      checkpoint: { latest: { resources: Array<{ type: string }>; pending_operations?: unknown[] } };
    };
    expect(last.checkpoint.latest.resources.filter((r) => r.type.endsWith("Waiter"))).toHaveLength(RESOURCES);
    expect(last.checkpoint.latest.pending_operations ?? []).toEqual([]);
  });
});
