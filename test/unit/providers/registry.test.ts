/**
 * providers/registry.ts: every kind resolves to an implementation that exports its provider, and
 * the frozen legacy map turns each `__provider` file path of older state into its kind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { diffRemoteCluster } from "../../../providers/remoteCluster/lifecycle";
import {
  LEGACY_PROVIDER_PATHS,
  legacyProviderName,
  PROVIDERS,
  type ProviderName,
  providerKind,
  providerNameOf,
  typeToken,
} from "../../../providers/registry";
import { providerCode } from "../../../providers/shared/providerCode";

const ROOT = path.join(__dirname, "../../..");

/** The `__provider` text resources got before the registry (file path + export name). */
const legacyCode = (file: string, exportName: string) =>
  `exports.handler=()=>require(require("path").join(process.cwd(),"loader.js")).provider(${JSON.stringify(file)},${JSON.stringify(exportName)})`;

describe("provider registry", () => {
  it.each(Object.keys(PROVIDERS) as ProviderName[])("%s: its implementation exports its provider object", (name) => {
    const kind = providerKind(name);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(ROOT, kind.implementation)) as Record<string, { create?: unknown }>;
    expect(typeof mod[kind.exportName]?.create).toBe("function");
    expect(typeToken(name)).toBe(`pulumi-nodejs:dynamic/ccr-dr/${name}:${kind.type}`);
  });

  it("an unknown name is an error that names it and the known ones", () => {
    expect(() => providerKind("noSuchKind")).toThrow(/"noSuchKind".*known: remoteCluster, followerIndex/);
  });
});

describe("legacy provider paths (frozen)", () => {
  const old: Array<[string, string, ProviderName]> = [
    ["providers/remoteCluster/provider.ts", "remoteClusterProvider", "remoteCluster"],
    ["providers/followerIndex/provider.ts", "followerIndexProvider", "followerIndex"],
    ["providers/writeFence/provider.ts", "writeFenceProvider", "writeFence"],
    ["providers/quarantineName/provider.ts", "quarantineNameProvider", "quarantineName"],
    ["providers/autoFollowPattern/provider.ts", "autoFollowPatternProvider", "autoFollowPattern"],
  ];

  it.each(old)("%s#%s → %s, a kind of this checkout", (file, exportName, name) => {
    expect(legacyProviderName(file, exportName)).toBe(name);
    expect(providerKind(name).implementation).not.toBe(file);
    expect(fs.existsSync(path.join(ROOT, file))).toBe(false);
  });

  it("holds exactly the old paths and cannot be changed", () => {
    expect(Object.keys(LEGACY_PROVIDER_PATHS).sort()).toEqual(old.map(([f, e]) => `${f}#${e}`).sort());
    expect(Object.isFrozen(LEGACY_PROVIDER_PATHS)).toBe(true);
  });

  it("an unknown path or export is an error that names what the state asked for", () => {
    expect(() => legacyProviderName("providers/followerIndex/handlers.ts", "followerIndexProvider")).toThrow(
      "ccr-dr: the state names the provider followerIndexProvider of providers/followerIndex/handlers.ts, which no ccr-dr version had",
    );
    expect(() => legacyProviderName("providers/followerIndex/provider.ts", "remoteClusterProvider")).toThrow(
      /remoteClusterProvider of providers\/followerIndex\/provider.ts/,
    );
  });

  it.each(old)("the __provider text of %s names the same kind as today's, so an upgrade is no change", (file, exportName, name) => {
    expect(providerNameOf(legacyCode(file, exportName))).toBe(name);
    expect(providerNameOf(providerCode(name))).toBe(name);
  });

  it("other provider texts name no kind", () => {
    expect(providerNameOf("code-v1")).toBeUndefined();
    expect(providerNameOf(legacyCode("providers/x/provider.ts", "xProvider"))).toBeUndefined();
    expect(providerNameOf(providerCode("followerIndex").replace("followerIndex", "nope"))).toBeUndefined();
  });

  it("a diff between the old and the current __provider of a kind is no change", () => {
    const rc = {
      connection: { name: "clusterB", endpoints: ["http://127.0.0.1:9201"] },
      alias: "clusterA",
      mode: "proxy",
      proxyAddress: "127.0.0.1:9300",
    };
    const olds = { ...rc, __provider: legacyCode("providers/remoteCluster/provider.ts", "remoteClusterProvider") };
    expect(diffRemoteCluster(olds, { ...rc, __provider: providerCode("remoteCluster") }).changes).toBe(false);
    expect(diffRemoteCluster(olds, { ...rc, __provider: providerCode("writeFence") }).changes).toBe(true);
  });
});
