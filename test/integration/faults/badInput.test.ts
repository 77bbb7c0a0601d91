/**
 * docs/bad-input.md is checked, row by row, against the real components: each row's input goes to
 * the stack configuration parser, a provider's `check`, a `bin/ccr-dr` process or a running es-sim,
 * and the answer must be the row's error text exactly. Every other test a row cites must exist.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "../../../cli/toolchain";
import { stageProgram } from "../../../cli/workspace";
import { spawnSim, type SpawnedSim } from "../../../sim/spawn";
import { actualError, citations, esSimFixture, matchesError, readBadInputDoc, type CliContext } from "../../helpers/faultBadInput";
import { pairConfig } from "../../helpers/drPair";

jest.setTimeout(120_000);

const rows = readBadInputDoc();

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : []));
}

describe("bad input table (docs/bad-input.md)", () => {
  let dir: string;
  let sim: SpawnedSim;
  let cli: CliContext;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-bad-input-"));
    sim = await spawnSim({ clusterName: "bad-input", dataDir: fs.mkdtempSync(path.join(dir, "sim-")) });
    await esSimFixture(sim.url, sim.transportAddress);
    // ccr-dr rows run on a staged program and a backend of their own; no cluster is ever reached.
    const nowhere = { url: "http://127.0.0.1:9", transportAddress: "127.0.0.1:9" } as SpawnedSim;
    const workDir = stageProgram(path.join(dir, "program"), {
      "dr-a": pairConfig("clusterA", nowhere, nowhere),
      "dr-b": pairConfig("clusterB", nowhere, nowhere),
    });
    cli = {
      workDir,
      env: {
        ...pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(dir, "home") }),
        PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
      },
    };
  });
  afterAll(async () => {
    await sim?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the table has rows for every component, with unique ids", () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const components = new Set(rows.map((r) => r.rejectedBy));
    for (const c of [
      "stack config",
      "RemoteCluster check",
      "FollowerIndex check",
      "WriteFence check",
      "QuarantineName check",
      "AutoFollowPattern check",
      "ccr-dr",
      "es-sim",
    ]) {
      expect(components).toContain(c);
    }
  });

  test("every test a row cites exists", () => {
    const files = testFiles(path.join(repoRoot, "test"));
    for (const row of rows) {
      const cited = citations(row.backedBy);
      expect(cited).toContainEqual({ file: "badInput.test.ts", name: row.id });
      for (const c of cited.filter((x) => x.file !== "badInput.test.ts")) {
        // A row cites a file by its name, or by its path under test/unit or test/integration where the
        // name alone is ambiguous (e.g. `stack/config.test.ts`).
        const file = files.find((f) => f.endsWith(`${path.sep}${c.file}`));
        if (!file) throw new Error(`row ${row.id} cites ${c.file}, which does not exist under test/`);
        if (!fs.readFileSync(file, "utf8").includes(c.name))
          throw new Error(`row ${row.id} cites "${c.name}", which is not a test of ${c.file}`);
      }
    }
  });

  test.each(rows.map((r) => [r.id, r] as const))("%s", async (_id, row) => {
    const actual = await actualError(row, { cli, esSim: sim.url });
    if (!matchesError(row.error, actual)) expect(actual).toBe(row.error); // shows both texts
  });
});
