/**
 * Manual check (not a jest test: closure serialization misbehaves under jest's VM contexts,
 * pulumi-facts §A3): serializes both providers exactly as `new dynamic.Resource` does, loads the
 * text in this process the way cmd/dynamic-provider does, and runs check/diff on it.
 *
 *   node -r ts-node/register/transpile-only test/unit/providers/serialize.check.ts [outDir]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { followerIndexProvider } from "../../../providers/followerIndex/provider";
import { remoteClusterProvider } from "../../../providers/remoteCluster/provider";

async function main(): Promise<void> {
    const outDir = process.argv[2];
    for (const [name, provider] of [
        ["remoteCluster", remoteClusterProvider],
        ["followerIndex", followerIndexProvider],
    ] as const) {
        const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        const text = sf.text;
        if (outDir) fs.writeFileSync(path.join(outDir, `${name}.js`), text);
        const m = new (require("module") as { new (id: string): { _compile(src: string, file: string): void; exports: { handler: () => typeof provider } } })(name);
        m._compile(text, path.join(process.cwd(), `${name}.serialized.js`));
        const p = m.exports.handler();
        const checked = await p.check!({}, { connection: { endpoints: ["http://127.0.0.1:9200"] }, alias: "clusterA", index: "a", leaderIndex: "b", remoteCluster: "clusterA", mode: "proxy", proxyAddress: "127.0.0.1:9300" });
        const diff = await p.diff!("x", { index: "a" }, { index: "b" });
        console.log(`${name}: ${text.length} chars; check failures=${checked.failures?.length ?? 0}; diff changes=${diff.changes}`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
