/**
 * PatternPromotion lifecycle: on a following site with auto-follow patterns, deleting this
 * resource — which a failover does, as it does to the declared pairs' FollowerIndex resources — promotes
 * everything else the site follows from the old primary: the patterns are paused, every replicated
 * data stream is promoted and rolled over, and every follower of the old primary that is not a
 * declared pair (backing indices included) is promoted as a FollowerIndex is. create and update
 * change no cluster: they store the inputs the delete needs, with the primary's identity read
 * through `leaderConnection` (for the promotion records). Plain async functions (tests call
 * them directly) and the dynamic provider object that delegates to them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { info } from "../../es/cluster";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { Failures, UNKNOWN } from "../shared/check";
import { checkConnection, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
import { messageOf } from "../shared/errors";
import { defaultRuntime, type Runtime } from "../shared/util";
import { executePromotionOps, type ExecResult } from "./execute";
import { planPatternPromotion } from "./plan";
import { PATTERN_PROMOTION_INPUT_KEYS, type PatternPromotionInputs } from "./types";
import { readPatternWorld } from "./world";

export interface PatternPromotionDeps {
  connect?: (conn: Connection) => Es;
  runtime?: Runtime;
}

export function checkPatternPromotion(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  const leaderConn = news["leaderConnection"];
  if (leaderConn !== undefined && leaderConn !== null) {
    checkConnection(f, "leaderConnection", "leaderCredentials", leaderConn, news["leaderCredentials"]);
  }
  f.alias("remoteCluster", news["remoteCluster"]);
  for (const key of ["patterns", "declaredIndices"] as const) {
    const v = news[key];
    if (v === UNKNOWN) continue;
    if (!Array.isArray(v) || v.some((p) => typeof p !== "string" || p === "")) f.add(key, `${key} must be a list of names.`);
  }
  return { inputs: news, failures: f.list };
}

/**
 * create and update: the inputs, with the primary's identity read through `leaderConnection`
 * (kept from `previous` when it names the same alias). No change to any cluster. A primary that
 * cannot be read leaves it unrecorded, with a warning: the promotion still runs, its records then
 * name the leader index only.
 */
export async function recordPatternPromotion(
  i: PatternPromotionInputs,
  previous: PatternPromotionInputs | undefined,
  deps: PatternPromotionDeps = {},
): Promise<PatternPromotionInputs & { warnings: string[] }> {
  const { leaderIdentity: _ignored, ...inputs } = i;
  if (previous?.leaderIdentity && previous.remoteCluster === i.remoteCluster)
    return { ...inputs, leaderIdentity: previous.leaderIdentity, warnings: [] };
  if (!i.leaderConnection) return { ...inputs, warnings: [] };
  try {
    const cluster = await info((deps.connect ?? realConnect)(joinConnection(i.leaderConnection, i.leaderCredentials)));
    return { ...inputs, leaderIdentity: { clusterName: cluster.clusterName, clusterUuid: cluster.clusterUuid }, warnings: [] };
  } catch (err) {
    const w =
      `could not record the identity of the primary "${i.remoteCluster}" through leaderConnection (${messageOf(err)}); ` +
      "a failover's promotion records then name the leader indices only. The next `pulumi up` tries again.";
    (deps.runtime ?? defaultRuntime()).warn(`PatternPromotion: ${w}`);
    return { ...inputs, warnings: [w] };
  }
}

/** The failover of pattern-driven data: read the site's cluster, plan, execute. */
export async function promotePatternData(i: PatternPromotionInputs, deps: PatternPromotionDeps = {}): Promise<ExecResult> {
  const es = (deps.connect ?? realConnect)(joinConnection(i.connection, i.credentials));
  const runtime = deps.runtime ?? defaultRuntime();
  const world = await readPatternWorld(es, i);
  const plan = planPatternPromotion(world, i, es.cluster);
  for (const w of plan.warnings) runtime.warn(`PatternPromotion: ${w}`);
  const result = await executePromotionOps({ es, runtime }, plan.ops);
  return { ...result, warnings: [...plan.warnings, ...result.warnings] };
}

export const patternPromotionProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkPatternPromotion(news);
  },
  async diff(_id, olds, news) {
    const changed = changedKeys(olds, news, PATTERN_PROMOTION_INPUT_KEYS);
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    return { id: "pattern-promotion", outs: await recordPatternPromotion(inputs as PatternPromotionInputs, undefined) };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, olds, news) {
    return { outs: await recordPatternPromotion(news as PatternPromotionInputs, olds as PatternPromotionInputs) };
  },
  async delete(_id, props) {
    await promotePatternData(props as PatternPromotionInputs);
  },
};
