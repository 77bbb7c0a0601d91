/**
 * PatternFailback lifecycle: on a site that follows again (a failback) and has auto-follow
 * patterns, create and update follow every existing index of the new primary that a pattern
 * matches (plan.ts says why the patterns alone do not), each through the FollowerIndex path;
 * delete changes nothing (the followers stay; a failover promotes them through PatternPromotion).
 * Plain async functions (tests call them directly) and the dynamic provider object.
 */
import type * as pulumi from "@pulumi/pulumi";
import { info } from "../../es/cluster";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { indicesGetDataStreams } from "../../es/dataStreams";
import { catIndexNames } from "../../es/indices";
import { Failures, UNKNOWN } from "../shared/check";
import { checkConnection, type ConnectionState, type Credentials, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
import { defaultRuntime, type Runtime } from "../shared/util";
import { executeFailbackOps } from "./execute";
import { type FailbackTarget, planPatternFailback } from "./plan";

export interface PatternFailbackInputs extends FailbackTarget {
  connection: ConnectionState;
  credentials?: Credentials;
  /** The new primary over HTTP: its indices are listed, and each failback's lineage is checked against it. */
  leaderConnection: ConnectionState;
  leaderCredentials?: Credentials;
}

export interface PatternFailbackOutputs extends PatternFailbackInputs {
  /** The local indices this failback made follow, and the documents quarantined from each stale copy. */
  quarantinedDocuments: Record<string, number>;
  warnings: string[];
}

export interface PatternFailbackDeps {
  connect?: (conn: Connection) => Es;
  runtime?: Runtime;
}

const INPUT_KEYS = [
  "connection",
  "credentials",
  "leaderConnection",
  "leaderCredentials",
  "remoteCluster",
  "patterns",
  "declaredIndices",
  "quarantineName",
] as const;

export function checkPatternFailback(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  checkConnection(f, "leaderConnection", "leaderCredentials", news["leaderConnection"], news["leaderCredentials"]);
  f.alias("remoteCluster", news["remoteCluster"]);
  if (news["quarantineName"] !== UNKNOWN) f.requireString("quarantineName", news["quarantineName"]);
  const patterns = news["patterns"];
  if (patterns !== UNKNOWN && (!Array.isArray(patterns) || patterns.length === 0)) f.add("patterns", "patterns must be a non-empty list.");
  return { inputs: news, failures: f.list };
}

/** create and update: list the new primary, plan, follow each matching index. */
export async function failBackPatternData(i: PatternFailbackInputs, deps: PatternFailbackDeps = {}): Promise<PatternFailbackOutputs> {
  const connect = deps.connect ?? realConnect;
  const runtime = deps.runtime ?? defaultRuntime();
  const leader = connect(joinConnection(i.leaderConnection, i.leaderCredentials));
  const here = connect(joinConnection(i.connection, i.credentials));
  const [indices, streams] = [await catIndexNames(leader, "*"), await indicesGetDataStreams(leader, "*")];
  const plan = planPatternFailback({ indices, streams: streams.map((s) => ({ name: s.name, indices: s.indices })) }, i);
  // A matching stream is worth a warning only where this site holds a stale (not replicated) copy of it.
  const local = new Map((await indicesGetDataStreams(here, "*")).map((s) => [s.name, s.replicated]));
  const warnings = plan.streams.flatMap((name, n) => (local.get(name) === false ? [plan.warnings[n]!] : []));
  for (const w of warnings) runtime.warn(`PatternFailback: ${w}`);
  const cluster = (await info(here).catch(() => undefined))?.clusterName ?? here.cluster;
  const result = await executeFailbackOps(
    {
      cluster,
      connection: i.connection,
      credentials: i.credentials,
      leaderConnection: i.leaderConnection,
      leaderCredentials: i.leaderCredentials,
      remoteCluster: i.remoteCluster,
      connect,
      runtime,
    },
    plan.ops,
  );
  return { ...i, quarantinedDocuments: result.quarantined, warnings: [...warnings, ...result.warnings] };
}

export const patternFailbackProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkPatternFailback(news);
  },
  async diff(_id, olds, news) {
    const changed = changedKeys(olds, news, INPUT_KEYS);
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    return { id: "pattern-failback", outs: await failBackPatternData(inputs as PatternFailbackInputs) };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: await failBackPatternData(news as PatternFailbackInputs) };
  },
  async delete() {
    // The followers stay: they are data, and a failover promotes them (PatternPromotion).
  },
};
