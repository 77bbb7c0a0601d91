/**
 * PatternPromotion lifecycle: on a following site with auto-follow patterns, deleting this
 * resource — which a failover does, as it does to the declared pairs' FollowerIndex resources — promotes
 * everything else the site follows from the old primary: the patterns are paused, every replicated
 * data stream is promoted and rolled over, and every follower of the old primary that is not a
 * declared pair (backing indices included) is promoted as a FollowerIndex is. create and update
 * change no cluster: they store the inputs the delete needs. Plain async functions (tests call
 * them directly) and the dynamic provider object that delegates to them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { Failures, UNKNOWN } from "../shared/check";
import { checkConnection, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
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
  f.alias("remoteCluster", news["remoteCluster"]);
  for (const key of ["patterns", "declaredIndices"] as const) {
    const v = news[key];
    if (v === UNKNOWN) continue;
    if (!Array.isArray(v) || v.some((p) => typeof p !== "string" || p === "")) f.add(key, `${key} must be a list of names.`);
  }
  return { inputs: news, failures: f.list };
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
    return { id: "pattern-promotion", outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete(_id, props) {
    await promotePatternData(props as PatternPromotionInputs);
  },
};
