/**
 * A unique, stable name for the quarantine index of one failback. `@pulumi/random` would do this,
 * but its plugin cannot be built offline here (scripts/toolchain/README.md), so this dynamic
 * resource behaves like `random.RandomId` with `keepers`: a fresh random suffix on create, kept
 * across re-runs, a new one whenever `keepers` change (i.e. for the next failback).
 */
import type * as pulumi from "@pulumi/pulumi";
import { Failures } from "../shared/check";
import { changedKeys, PROVIDER_KEY } from "../shared/diff";

export interface QuarantineNameInputs {
  /** Start of the name, e.g. `ccr-dr-quarantine-logs`; must itself be a valid index name. */
  prefix: string;
  /** Any values; a change means a new failback and so a new name. */
  keepers: Record<string, string>;
}

export interface QuarantineNameOutputs extends QuarantineNameInputs {
  name: string;
}

/** Bytes of randomness in the suffix (16 hex characters). */
const SUFFIX_BYTES = 8;

export function checkQuarantineName(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  f.indexName("prefix", news["prefix"]);
  return { inputs: { ...news, keepers: news["keepers"] ?? {} }, failures: f.list };
}

export function newQuarantineName(i: QuarantineNameInputs): QuarantineNameOutputs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require("crypto") as typeof import("crypto");
  return { ...i, name: `${i.prefix}-${randomBytes(SUFFIX_BYTES).toString("hex")}` };
}

export const quarantineNameProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkQuarantineName(news);
  },
  async diff(_id, olds, news) {
    const changed = changedKeys(olds, news, ["prefix", "keepers"]);
    // New provider code alone is an update: the name of a failback in progress must not change.
    return { changes: changed.length > 0, replaces: changed.filter((k) => k !== PROVIDER_KEY), deleteBeforeReplace: false };
  },
  async create(inputs) {
    const outs = newQuarantineName(inputs as QuarantineNameInputs);
    return { id: outs.name, outs };
  },
  async read(id, props) {
    return { id, props };
  },
  // Every input change replaces (see diff); an update can only carry provider-code changes.
  async update(_id, olds, news) {
    return { outs: { ...(news as QuarantineNameInputs), name: (olds as QuarantineNameOutputs).name } };
  },
  // Only a name: the quarantine index it names holds evidence and is never deleted by ccr-dr.
  async delete() {},
};
