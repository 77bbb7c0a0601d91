/**
 * PatternFailback lifecycle: on a site that follows again (a failback) and has auto-follow
 * patterns, create and update follow every existing index of the new primary that a pattern
 * matches (plan.ts says why the patterns alone do not), each through the FollowerIndex path, and
 * every matching data stream (fence → quarantine → delete the stale stream → follow its backing indices);
 * delete changes nothing (the followers stay; a failover promotes them through PatternPromotion).
 * Plain async functions (tests call them directly) and the dynamic provider object.
 */
import type * as pulumi from "@pulumi/pulumi";
import { info } from "../../es/cluster";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { catIndexNames, indicesGet } from "../../es/indices";
import { decodeQuarantine } from "../../es/records";
import { Failures, UNKNOWN } from "../shared/check";
import { checkConnection, type ConnectionState, type Credentials, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
import { defaultRuntime, type Runtime } from "../shared/util";
import { executeFailbackOps } from "./execute";
import { type FailbackTarget, planPatternFailback } from "./plan";
import { readFailbackWorld } from "./world";

export interface PatternFailbackInputs extends FailbackTarget {
  connection: ConnectionState;
  credentials?: Credentials;
  /** The new primary over HTTP: its indices are listed, and each failback's lineage is checked against it. */
  leaderConnection: ConnectionState;
  leaderCredentials?: Credentials;
}

export interface PatternFailbackOutputs extends PatternFailbackInputs {
  /**
   * The local indices this failback made follow, and the documents quarantined from each stale copy;
   * for a data stream, per stale backing index (read back from its complete quarantine record).
   */
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

/** create and update: list the new primary, read this site's side of each matching stream, plan, run. */
export async function failBackPatternData(i: PatternFailbackInputs, deps: PatternFailbackDeps = {}): Promise<PatternFailbackOutputs> {
  const connect = deps.connect ?? realConnect;
  const runtime = deps.runtime ?? defaultRuntime();
  const leader = connect(joinConnection(i.leaderConnection, i.leaderCredentials));
  const here = connect(joinConnection(i.connection, i.credentials));
  const { listing, locals } = await readFailbackWorld(here, leader, i, i.quarantineName);
  const cluster = (await info(here).catch(() => undefined))?.clusterName ?? here.cluster;
  const plan = planPatternFailback(listing, i, locals, cluster);
  for (const w of plan.warnings) runtime.warn(`PatternFailback: ${w}`);
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
  // A stream's quarantines, also those of an earlier run this one continues: from their complete records.
  const quarantined = { ...(await streamQuarantines(here, i.quarantineName)), ...result.quarantined };
  return { ...i, quarantinedDocuments: quarantined, warnings: [...plan.warnings, ...result.warnings] };
}

/** The complete quarantine records of this failback's backing indices (`<quarantineName>-.ds-*`): documents per source index. */
async function streamQuarantines(es: Es, quarantineName: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await catIndexNames(es, `${quarantineName}-.ds-*`)) {
    const d = await indicesGet(es, name);
    const r = d ? decodeQuarantine(d.meta) : undefined;
    if (r?.complete) out[r.sourceIndex] = r.documents;
  }
  return out;
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
