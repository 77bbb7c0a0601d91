/**
 * The provider kinds: the one table every consumer reads — the resources (their type token and the
 * kind their `__provider` names, shared/providerCode.ts), loader.js (which implementation serves a
 * kind), the CLI's DR words (cli/describe.ts), and the tests. A new kind is one line here.
 *
 * Loaded by the program: it names implementations by path and never imports them (loader.js
 * requires one when the provider process first needs it), so declaring resources loads no provider
 * code (docs/providers.md, "Provider code").
 */
import { autoFollowPatternWords } from "./autoFollowPattern/words";
import { followerIndexWords } from "./followerIndex/words";
import { patternFailbackWords } from "./patternFailback/words";
import { patternPromotionWords } from "./patternPromotion/words";
import { quarantineNameWords } from "./quarantineName/words";
import { remoteClusterWords } from "./remoteCluster/words";
import type { Words } from "./words";
import { writeFenceWords } from "./writeFence/words";

/** One kind of dynamic resource. */
export interface ProviderKind {
  /** Module of the type token `pulumi-nodejs:dynamic/<module>:<type>`. */
  module: string;
  /** Type name, the last part of the type token (and the CLI's name for the kind). */
  type: string;
  /** The module exporting the provider object, relative to the program directory. */
  implementation: string;
  /** The provider object's export name in {@link implementation}. */
  exportName: string;
  /** Its planned steps in DR words. */
  words: Words;
}

/** The stable names stored in `__provider`: never rename one (a delete runs the provider its state names). */
export type ProviderName =
  "remoteCluster" | "followerIndex" | "writeFence" | "quarantineName" | "autoFollowPattern" | "patternPromotion" | "patternFailback";

/** Every kind by its stable name. */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderKind>> = {
  remoteCluster: {
    module: "ccr-dr/remoteCluster",
    type: "RemoteCluster",
    implementation: "providers/remoteCluster/lifecycle.ts",
    exportName: "remoteClusterProvider",
    words: remoteClusterWords,
  },
  followerIndex: {
    module: "ccr-dr/followerIndex",
    type: "FollowerIndex",
    implementation: "providers/followerIndex/lifecycle.ts",
    exportName: "followerIndexProvider",
    words: followerIndexWords,
  },
  writeFence: {
    module: "ccr-dr/writeFence",
    type: "WriteFence",
    implementation: "providers/writeFence/lifecycle.ts",
    exportName: "writeFenceProvider",
    words: writeFenceWords,
  },
  quarantineName: {
    module: "ccr-dr/quarantineName",
    type: "QuarantineName",
    implementation: "providers/quarantineName/lifecycle.ts",
    exportName: "quarantineNameProvider",
    words: quarantineNameWords,
  },
  autoFollowPattern: {
    module: "ccr-dr/autoFollowPattern",
    type: "AutoFollowPattern",
    implementation: "providers/autoFollowPattern/lifecycle.ts",
    exportName: "autoFollowPatternProvider",
    words: autoFollowPatternWords,
  },
  patternPromotion: {
    module: "ccr-dr/patternPromotion",
    type: "PatternPromotion",
    implementation: "providers/patternPromotion/lifecycle.ts",
    exportName: "patternPromotionProvider",
    words: patternPromotionWords,
  },
  patternFailback: {
    module: "ccr-dr/patternFailback",
    type: "PatternFailback",
    implementation: "providers/patternFailback/lifecycle.ts",
    exportName: "patternFailbackProvider",
    words: patternFailbackWords,
  },
};

/** The kind `name`; an unknown name (state written by a newer ccr-dr) is an error that says so. */
export function providerKind(name: string): ProviderKind {
  if (!Object.prototype.hasOwnProperty.call(PROVIDERS, name)) {
    throw new Error(
      `ccr-dr: the state names a provider "${name}" that this checkout does not have (known: ${Object.keys(PROVIDERS).join(", ")}): it was written by another ccr-dr version; update this checkout.`,
    );
  }
  return PROVIDERS[name as ProviderName];
}

/** The type token of a kind's resources, e.g. `pulumi-nodejs:dynamic/ccr-dr/followerIndex:FollowerIndex`. */
export function typeToken(name: ProviderName): string {
  const { module, type } = PROVIDERS[name];
  return `pulumi-nodejs:dynamic/${module}:${type}`;
}

/** The kind of a type token; `undefined` for tokens that are not ours (the stack, the provider plugin). */
export function kindOfType(token: string): ProviderKind | undefined {
  return Object.values(PROVIDERS).find((k) => `pulumi-nodejs:dynamic/${k.module}:${k.type}` === token);
}

/**
 * FROZEN. Before the registry, `__provider` named the file and export of each provider
 * (`provider("providers/followerIndex/provider.ts", "followerIndexProvider")`), and resources that
 * no update has rewritten since still do. Those files no longer exist; this maps each old pair, as
 * `<file>#<export>`, to its kind. Never edit or remove an entry: state in the old format may be
 * anywhere, and its first failover runs it.
 */
export const LEGACY_PROVIDER_PATHS: Readonly<Record<string, ProviderName>> = Object.freeze({
  "providers/remoteCluster/provider.ts#remoteClusterProvider": "remoteCluster",
  "providers/followerIndex/provider.ts#followerIndexProvider": "followerIndex",
  "providers/writeFence/provider.ts#writeFenceProvider": "writeFence",
  "providers/quarantineName/provider.ts#quarantineNameProvider": "quarantineName",
  "providers/autoFollowPattern/provider.ts#autoFollowPatternProvider": "autoFollowPattern",
});

/** The kind an old-format `__provider` (file + export) names; anything else is an error that says what was asked. */
export function legacyProviderName(file: string, exportName: string): ProviderName {
  const name = LEGACY_PROVIDER_PATHS[`${file}#${exportName}`];
  if (name === undefined) {
    throw new Error(
      `ccr-dr: the state names the provider ${exportName} of ${file}, which no ccr-dr version had: it was not written by ccr-dr, or was edited.`,
    );
  }
  return name;
}

/**
 * The kind a `__provider` text names, in either format (shared/providerCode.ts, or the old one of
 * {@link LEGACY_PROVIDER_PATHS}); `undefined` for any other text (e.g. the serialized provider code
 * of older state).
 */
export function providerNameOf(text: unknown): ProviderName | undefined {
  if (typeof text !== "string") return undefined;
  const m = /\.provider\(("[^"]*")(?:,("[^"]*"))?\)$/.exec(text);
  if (!m) return undefined;
  const first = JSON.parse(m[1]!) as string;
  if (m[2] === undefined) return Object.prototype.hasOwnProperty.call(PROVIDERS, first) ? (first as ProviderName) : undefined;
  return LEGACY_PROVIDER_PATHS[`${first}#${JSON.parse(m[2]) as string}`];
}
