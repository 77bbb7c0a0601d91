/**
 * AutoFollowPattern lifecycle (`PUT|GET|DELETE /_ccr/auto_follow/{name}`): on the follower site,
 * leader indices created later that match the patterns are followed automatically. Plain async
 * functions (tests call them directly) and the dynamic provider object that delegates to them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ccrDeleteAutoFollowPattern, ccrGetAutoFollowPattern, ccrPutAutoFollowPattern } from "../../es/ccr";
import { connectShared as realConnect, type Connection, type Es } from "../../es/connection";
import { Failures } from "../shared/check";
import { checkConnection, type ConnectionState, type Credentials, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";

export interface AutoFollowPatternInputs {
  connection: ConnectionState;
  credentials?: Credentials;
  /** Pattern name on the follower cluster. Changing it replaces the pattern. */
  name: string;
  /** Alias of the leader cluster. */
  remoteCluster: string;
  leaderIndexPatterns: string[];
  leaderIndexExclusionPatterns?: string[];
  /** Follower index name, `{{leader_index}}` standing for the leader's (ES default: the same name). */
  followIndexPattern?: string;
}

export interface AutoFollowPatternDeps {
  connect?: (conn: Connection) => Es;
}

const INPUT_KEYS = [
  "connection",
  "credentials",
  "name",
  "remoteCluster",
  "leaderIndexPatterns",
  "leaderIndexExclusionPatterns",
  "followIndexPattern",
] as const;

function esOf(i: AutoFollowPatternInputs, deps: AutoFollowPatternDeps): Es {
  return (deps.connect ?? realConnect)(joinConnection(i.connection, i.credentials));
}

export function checkAutoFollowPattern(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  f.alias("name", news["name"]);
  f.alias("remoteCluster", news["remoteCluster"]);
  const patterns = news["leaderIndexPatterns"];
  if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((p) => typeof p !== "string" || p === "")) {
    f.add("leaderIndexPatterns", 'leaderIndexPatterns must be a non-empty list of index patterns, e.g. ["logs-*"].');
  }
  return { inputs: news, failures: f.list };
}

/** Creates or replaces the pattern (ES's PUT is an upsert). */
export async function putAutoFollowPattern(i: AutoFollowPatternInputs, deps: AutoFollowPatternDeps = {}): Promise<AutoFollowPatternInputs> {
  await ccrPutAutoFollowPattern(esOf(i, deps), i.name, i);
  return i;
}

/** The pattern as the cluster has it; `undefined` when it was deleted out of band. */
export async function readAutoFollowPattern(
  i: AutoFollowPatternInputs,
  deps: AutoFollowPatternDeps = {},
): Promise<AutoFollowPatternInputs | undefined> {
  const p = await ccrGetAutoFollowPattern(esOf(i, deps), i.name);
  return p ? { ...i, ...p } : undefined;
}

/** Deletes the pattern; followers it already created stay (they are data). */
export async function deleteAutoFollowPattern(i: AutoFollowPatternInputs, deps: AutoFollowPatternDeps = {}): Promise<void> {
  await ccrDeleteAutoFollowPattern(esOf(i, deps), i.name);
}

export const autoFollowPatternProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkAutoFollowPattern(news);
  },
  async diff(_id, olds, news) {
    const changed = changedKeys(olds, news, INPUT_KEYS);
    return { changes: changed.length > 0, replaces: changed.filter((k) => k === "name"), deleteBeforeReplace: false };
  },
  async create(inputs) {
    const outs = await putAutoFollowPattern(inputs as AutoFollowPatternInputs);
    return { id: outs.name, outs };
  },
  async read(id, props) {
    const outs = await readAutoFollowPattern(props as AutoFollowPatternInputs);
    return outs ? { id, props: { ...props, ...outs } } : {};
  },
  async update(_id, _olds, news) {
    return { outs: await putAutoFollowPattern(news as AutoFollowPatternInputs) };
  },
  async delete(_id, props) {
    await deleteAutoFollowPattern(props as AutoFollowPatternInputs);
  },
};
