/**
 * Serializes every provider exactly as `new dynamic.Resource` does, loads the text the way
 * cmd/dynamic-provider does, and exercises it; prints one JSON line. Run in a plain Node process
 * by test/integration/providerSerialization.test.ts, because closure serialization misbehaves
 * under jest's VM contexts (pulumi-facts §A3).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { followerIndexProvider } from "../../providers/followerIndex/lifecycle";
import { quarantineNameProvider } from "../../providers/quarantineName/lifecycle";
import { remoteClusterProvider } from "../../providers/remoteCluster/lifecycle";
import { writeFenceProvider } from "../../providers/writeFence/lifecycle";

type Provider = pulumi.dynamic.ResourceProvider;

async function load(name: string, provider: Provider): Promise<{ text: string; p: Provider }> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const Module = require("module") as {
    new (id: string): { _compile(src: string, file: string): void; exports: Record<string, () => Provider>; paths: string[] };
    _nodeModulePaths(dir: string): string[];
  };
  const m = new Module(name);
  // As require-from-string in cmd/dynamic-provider: requires resolve from the program directory.
  m.paths = Module._nodeModulePaths(process.cwd());
  m._compile(sf.text, path.join(process.cwd(), `${name}.serialized.js`));
  return { text: sf.text, p: m.exports[sf.exportName]!() };
}

async function main(): Promise<void> {
  const deadEndpoint = process.argv[2] ?? "http://127.0.0.1:9";
  const connection = { name: "clusterB", endpoints: [deadEndpoint], requestTimeoutMs: 2000 };
  const report: Record<string, unknown> = {};
  const providers: Array<[string, Provider]> = [
    ["remoteCluster", remoteClusterProvider],
    ["followerIndex", followerIndexProvider],
    ["writeFence", writeFenceProvider],
    ["quarantineName", quarantineNameProvider],
  ];
  for (const [name, provider] of providers) {
    const { text, p } = await load(name, provider);
    const checked = await p.check!({}, { connection, alias: "clusterA", index: "a", leaderIndex: "b", remoteCluster: "clusterA", mode: "proxy", proxyAddress: "127.0.0.1:9300", prefix: "q" });
    let createError: string | undefined;
    if (name !== "quarantineName") {
      try {
        await p.create(checked.inputs ?? {});
      } catch (e) {
        createError = (e as { message?: string }).message;
      }
    }
    report[name] = { chars: text.length, absolutePaths: text.includes(process.cwd()), checkFailures: checked.failures?.length ?? 0, createError };
  }
  console.log(JSON.stringify(report));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
