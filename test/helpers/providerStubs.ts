/**
 * Loads every provider of providers/registry.ts the way Pulumi's dynamic-provider process does
 * with the `__provider` text of our resources, and with the old file-path text of older state
 * (`requireFromString(text).handler()`, in the program directory given as argv[2]), and
 * exercises it; prints one JSON line. Run in a plain Node process by
 * test/integration/providers/stubs.test.ts: the text registers loader.js's require hook, which
 * jest's module system would bypass.
 */
import { LEGACY_PROVIDER_PATHS, PROVIDERS, type ProviderName } from "../../providers/registry";
import { providerCode } from "../../providers/shared/providerCode";

type Provider = {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs?: Record<string, unknown>; failures?: unknown[] }>;
  create(inputs: Record<string, unknown>): Promise<unknown>;
};

/** Kinds whose create calls no cluster (a generated name; the stored inputs of a later delete). */
const NO_CLUSTER_AT_CREATE: readonly ProviderName[] = ["quarantineName", "patternPromotion"];

async function main(): Promise<void> {
  const [programDir, deadEndpoint] = [process.argv[2]!, process.argv[3] ?? "http://127.0.0.1:9"];
  process.chdir(programDir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFromString = require(require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] })) as (
    code: string,
  ) => { handler(): Provider };
  const connection = { name: "clusterB", endpoints: [deadEndpoint], requestTimeoutMs: 2000 };
  const news = {
    connection,
    alias: "clusterA",
    index: "a",
    leaderIndex: "b",
    remoteCluster: "clusterA",
    mode: "proxy",
    proxyAddress: "127.0.0.1:9300",
    prefix: "q",
    name: "p",
    leaderIndexPatterns: ["logs-*"],
    patterns: ["logs"],
    declaredIndices: ["a"],
    leaderConnection: connection,
    quarantineName: "q-1",
  };
  const report: Record<string, unknown> = {};
  for (const name of Object.keys(PROVIDERS) as ProviderName[]) {
    const text = providerCode(name);
    const p = requireFromString(text).handler();
    // The `__provider` of state written before the registry (kinds of that time only): the same
    // provider, through the legacy map.
    const legacy = Object.entries(LEGACY_PROVIDER_PATHS)
      .find(([, n]) => n === name)?.[0]
      .split("#");
    const legacyText =
      legacy &&
      `exports.handler=()=>require(require("path").join(process.cwd(),"loader.js")).provider(${JSON.stringify(legacy[0])},${JSON.stringify(legacy[1])})`;
    const legacySame = legacyText === undefined ? undefined : requireFromString(legacyText).handler() === p;
    const checked = await p.check({}, news);
    let createError: string | undefined;
    if (!NO_CLUSTER_AT_CREATE.includes(name)) {
      try {
        await p.create(checked.inputs ?? {});
      } catch (e) {
        createError = (e as { message?: string }).message;
      }
    }
    report[name] = { chars: text.length, text, legacySame, checkFailures: checked.failures?.length ?? 0, createError };
  }
  console.log(JSON.stringify(report));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
