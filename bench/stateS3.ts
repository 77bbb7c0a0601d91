/**
 * State writes against an S3-compatible object store (`npm run bench -- --only state-s3`): how long
 * Pulumi takes to write and read the whole state of a site stack with 200 and 1,000 index pairs
 * when it lives in a bucket of a real SeaweedFS server on 127.0.0.1 (test/helpers/s3Store.ts), next
 * to the same on a `file://` backend.
 *
 * The state is dr-b's as the program makes it: one index pair is deployed for real on an es-sim
 * pair, and its per-pair resources are repeated N times under the names of N pairs (`pulumi up` of
 * 1,000 real followers would take most of the run). A state write is `pulumi stack import` of that
 * deployment: the DIY backend's path for every checkpoint save (copy the old checkpoint to `.bak`,
 * write the new one, an entry in the update history) — the same save the engine makes around every
 * step of an update. A read is `pulumi stack export`. Also the store's bare PUT of the same bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startS3Store, type S3Store } from "../test/helpers/s3Store";
import { indexPairs, rest, startBenchPair, type BenchPair } from "./pair";
import { pulumi, up } from "./pulumiCli";
import { figure, type Figure } from "./stats";

export interface StateS3Measurement {
  pairs: number;
  backend: "file" | "s3";
  resources: number;
  stateBytes: number;
  /** `pulumi stack import`: one full state write, CLI start included. */
  writeMs: Figure;
  /** `pulumi stack export`: one full state read, CLI start included. */
  readMs: Figure;
  /** s3 only: a bare signed PUT of the checkpoint's bytes to the store. */
  putMs?: Figure;
}

interface Deployment {
  version: number;
  deployment: { resources: Array<Record<string, unknown>> } & Record<string, unknown>;
}

/**
 * dr-b's deployment with the resources of its one real pair (`seed`) repeated for `n` pairs: each
 * copy is the same JSON with the pair's index names in place of the seed's.
 */
export function repeatPairs(real: Deployment, seed: { clusterA: string; clusterB: string }, n: number): Deployment {
  const resources = real.deployment.resources;
  const perPair = (r: Record<string, unknown>) =>
    r.type !== "pulumi:pulumi:Stack" &&
    !String(r.type).startsWith("pulumi:providers:") &&
    (JSON.stringify(r).includes(seed.clusterA) || JSON.stringify(r).includes(seed.clusterB));
  const shared = resources.filter((r) => !perPair(r));
  const template = JSON.stringify(resources.filter(perPair));
  const copies = indexPairs("state", n).flatMap(
    (p) =>
      JSON.parse(template.split(seed.clusterB).join(p.clusterB).split(seed.clusterA).join(p.clusterA)) as Array<Record<string, unknown>>,
  );
  // dependents after their dependencies: the stack resource and providers first, as Pulumi keeps them
  const root = shared.filter((r) => r.type === "pulumi:pulumi:Stack" || String(r.type).startsWith("pulumi:providers:"));
  const rest = shared.filter((r) => !root.includes(r));
  return { ...real, deployment: { ...real.deployment, resources: [...root, ...rest, ...copies] } };
}

/** One real pair deployed on dr-b; its deployment exported. */
async function seedDeployment(pair: BenchPair): Promise<{ real: Deployment; seed: { clusterA: string; clusterB: string } }> {
  const [seed] = indexPairs("seed", 1);
  await rest(pair.a.url, "PUT", `/${seed!.clusterA}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
  pair.configure([seed!], "clusterA");
  await up(pair, "dr-b");
  const real = JSON.parse((await pulumi(pair, ["stack", "export", "-s", "dr-b"])).stdout) as Deployment;
  return { real, seed: seed! };
}

export async function run(opts: { pairs: number[]; runs: number }, log: (line: string) => void): Promise<StateS3Measurement[]> {
  const pair = await startBenchPair();
  let store: S3Store | undefined;
  try {
    store = await startS3Store({ dir: fs.mkdtempSync(path.join(pair.dir, "s3-")) });
    const { real, seed } = await seedDeployment(pair);
    log(`  seed: dr-b with 1 real pair has ${real.deployment.resources.length} resources`);
    const out: StateS3Measurement[] = [];
    for (const n of opts.pairs) {
      const deployment = repeatPairs(real, seed, n);
      const file = path.join(pair.dir, `state-${n}.json`);
      fs.writeFileSync(file, JSON.stringify(deployment));
      const stateBytes = fs.statSync(file).size;
      const backends: Array<[StateS3Measurement["backend"], Record<string, string>]> = [
        ["file", { PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(pair.dir, `file-${n}-`))}` }],
        ["s3", { ...store.env, PULUMI_BACKEND_URL: store.backendUrl(`bench-${n}`) }],
      ];
      // dr-b on each backend, with the stack file's secrets provider (the deployment's own)
      for (const [, env] of backends) await pulumi(pair, ["stack", "init", "dr-b"], env);
      const runs = backends.map(() => ({ write: [] as number[], read: [] as number[], put: [] as number[] }));
      const body = fs.readFileSync(file);
      for (let r = 0; r < opts.runs; r++) {
        // backends alternate within a run, so that a change of the machine's load hits both alike
        for (const [i, [backend, env]] of backends.entries()) {
          runs[i]!.write.push((await pulumi(pair, ["stack", "import", "--file", file, "-s", "dr-b"], env)).ms);
          runs[i]!.read.push((await pulumi(pair, ["stack", "export", "-s", "dr-b"], env)).ms);
          if (backend === "s3") {
            const t0 = performance.now();
            await store.put(`bare-put-${n}/${r}.json`, body);
            runs[i]!.put.push(performance.now() - t0);
          }
        }
      }
      for (const [i, [backend]] of backends.entries()) {
        const { write, read, put } = runs[i]!;
        const m: StateS3Measurement = {
          pairs: n,
          backend,
          resources: deployment.deployment.resources.length,
          stateBytes,
          writeMs: figure(write, "ms"),
          readMs: figure(read, "ms"),
          ...(put.length > 0 ? { putMs: figure(put, "ms") } : {}),
        };
        log(
          `  ${n} pairs, ${backend}: state ${Math.round(stateBytes / 1024)} KiB (${m.resources} resources); write ${Math.round(m.writeMs.median)} ms, read ${Math.round(m.readMs.median)} ms` +
            (m.putMs ? `, bare PUT ${Math.round(m.putMs.median)} ms` : ""),
        );
        out.push(m);
      }
      // the stored objects are what was written
      const stored = await store.get(`bench-${n}/.pulumi/stacks/ccr-dr/dr-b.json`);
      const resources = (JSON.parse(stored!.toString()).checkpoint.latest.resources as unknown[]).length;
      if (resources !== deployment.deployment.resources.length)
        throw new Error(`the bucket holds ${resources} resources of dr-b, ${deployment.deployment.resources.length} were imported`);
    }
    return out;
  } finally {
    await store?.cleanup();
    await pair.cleanup();
  }
}
