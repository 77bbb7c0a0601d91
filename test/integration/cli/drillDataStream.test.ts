/**
 * `ccr-dr drill --scenario data-stream` as an operator runs it (a real child process, real es-sim
 * processes, the real Pulumi CLI): the verdict is PASS, and the report's figures are what the
 * clusters hold — read again from the kept data dirs (`--keep`) after the drill stopped them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSim, type SpawnedSim } from "../../../sim/spawn";
import { STREAM } from "../../../cli/drill/dataStream";
import { ccrDr, expectSchema } from "../../helpers/ccrDrCli";
import { http } from "../../helpers/sim";

jest.setTimeout(600_000);

const DOCUMENTS = 150;

async function countOf(base: string, target: string): Promise<number> {
  await http(base, "POST", `/${target}/_refresh`);
  const r = await http(base, "GET", `/${target}/_count`);
  if (r.status !== 200) throw new Error(`count ${target}: ${r.status} ${r.text}`);
  return r.body.count as number;
}

describe("ccr-dr drill --scenario data-stream", () => {
  const sims: SpawnedSim[] = [];
  let keptIn: string | undefined;
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.kill("SIGTERM").catch(() => undefined)));
    if (keptIn) fs.rmSync(keptIn, { recursive: true, force: true });
  });

  test("a bad --scenario is a usage error naming the flag and the valid values; nothing starts", async () => {
    const r = await ccrDr(undefined, ["drill", "--scenario", "streams"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--scenario streams is not a drill scenario: use one of tutorial, data-stream");
  });

  test("passes, nothing acknowledged lost; RPO, quarantine and stream counts match the clusters", async () => {
    const r = await ccrDr(undefined, ["drill", "--scenario", "data-stream", "--json", "--keep", "--documents", String(DOCUMENTS)]);
    keptIn = r.json?.keptIn;
    expectSchema("drill", r.json);
    expect(r.json.phases.filter((p: { ok: boolean }) => !p.ok)).toEqual([]);
    expect(r.json).toMatchObject({ scenario: "data-stream", verdict: "pass", lostDocuments: 0 });
    expect(r.code).toBe(0);
    expect(r.json.phases.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        `daily rollover: POST ${STREAM}/_rollover on clusterA (simulates the day change)`,
        "disaster: kill -9 clusterA",
        "failover to clusterB (pulumi up dr-b)",
        "failback: clusterA follows clusterB (pulumi up dr-a)",
      ]),
    );
    const { documents, documentsOnB, rpoDocuments, quarantinedDocuments, rtoMs } = r.json;
    expect(documents).toBeGreaterThanOrEqual(DOCUMENTS);
    expect(documentsOnB).toBeGreaterThan(0);
    expect(rtoMs).toBeGreaterThan(0);

    // the clusters as the drill left them (stopped), started again on their data dirs
    const dirOf = (name: string) => fs.readdirSync(keptIn!).find((d) => d.startsWith(`${name}-`))!;
    const [a, b] = await Promise.all(
      ["clusterA", "clusterB"].map((name) => spawnSim({ clusterName: name, dataDir: path.join(keptIn!, dirOf(name)) })),
    );
    sims.push(a!, b!);
    // clusterB: every acknowledged document that reached it and every one written on it; at most one
    // more, the append in flight at the kill (applied and replicated, never acknowledged)
    const onB = await countOf(b!.url, STREAM);
    expect(onB).toBeGreaterThanOrEqual(documents - rpoDocuments + documentsOnB);
    expect(onB).toBeLessThanOrEqual(documents - rpoDocuments + documentsOnB + 1);
    // clusterA follows clusterB's stream: the same documents
    expect(await countOf(a!.url, STREAM)).toBe(onB);
    // the quarantine holds what the report says, at least the RPO's documents
    const q = await http(a!.url, "GET", "/_cat/indices/ccr-dr-quarantine-*?format=json&h=index,docs.count");
    const inQuarantine = (q.body as Array<{ "docs.count": string }>).reduce((s, i) => s + Number(i["docs.count"]), 0);
    expect(quarantinedDocuments).toBe(inQuarantine);
    expect(inQuarantine).toBeGreaterThanOrEqual(rpoDocuments);
  });
});
