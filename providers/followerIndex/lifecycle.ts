/**
 * FollowerIndex lifecycle as plain async functions (callable from tests and the CLI without the
 * Pulumi engine) and the dynamic provider object that delegates to them. Each function builds
 * its clients inside itself from the stored inputs (docs/providers.md, "Facts"), reads the world, asks a
 * pure planner for the steps, and runs them.
 *
 * Which cluster each method talks to: check and diff — none (so `preview` never hangs on a dead
 * cluster); read and delete — the follower cluster only (promotion during a disaster never needs
 * the dead leader); create and update — the follower cluster, and the leader cluster through
 * `leaderConnection` only to record its identity or, during failback, to read its promotion record.
 */
import type * as pulumi from "@pulumi/pulumi";
import { canonicalFollowParameters, FOLLOW_PARAMETER_KINDS, parseByteSize, parseDuration } from "../../es/ccr";
import { info } from "../../es/cluster";
import { connectShared as realConnect, type Connection, type Es } from "../../es/connection";
import { indicesGet } from "../../es/indices";
import { Failures, isUnknown, UNKNOWN } from "../shared/check";
import { checkConnection, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
import { messageOf } from "../shared/errors";
import { compact, defaultRuntime, deepEqual, type Runtime } from "../shared/util";
import { executeFollowerOps } from "./execute";
import { needsLineage, planDelete, planEnsure } from "./plan";
import { type LineageVerdict, verifyLineage } from "./lineage";
import {
  FOLLOWER_INPUT_KEYS,
  type FailbackReport,
  type FollowerIndexInputs,
  type FollowerIndexOutputs,
  type LeaderIdentity,
  type ObservedStatus,
} from "./types";
import { type FollowerWorld, readFollowerWorld, readLeaderView } from "./world";

/** What the lifecycle functions need from outside; tests inject fake connections and a fake clock. */
export interface FollowerIndexDeps {
  connect?: (conn: Connection) => Es;
  runtime?: Runtime;
}

/** Settings the providers manage themselves or that a follower cannot override. */
const FORBIDDEN_FOLLOWER_SETTINGS = [
  "index.number_of_shards",
  "index.routing_partition_size",
  "index.soft_deletes.enabled",
  "index.blocks.write",
];

/** Longest `max_retry_delay` ES accepts (docs/providers.md, "Facts"). */
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** `check`: validates every input and reports every problem; fills defaults and normalises settings. */
export function checkFollowerIndex(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  const out: Record<string, unknown> = { ...news };
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  const leaderConn = news["leaderConnection"];
  if (leaderConn !== undefined && leaderConn !== null) {
    checkConnection(f, "leaderConnection", "leaderCredentials", leaderConn, news["leaderCredentials"]);
  }
  f.indexName("index", news["index"]);
  f.indexName("leaderIndex", news["leaderIndex"]);
  f.alias("remoteCluster", news["remoteCluster"]);

  const params = news["parameters"];
  if (params !== undefined && params !== null && params !== UNKNOWN) {
    if (typeof params !== "object" || Array.isArray(params)) f.add("parameters", "parameters must be an object of follow parameters.");
    else {
      for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
        const prop = `parameters.${k}`;
        const kind = (FOLLOW_PARAMETER_KINDS as Record<string, string>)[k];
        if (v === undefined || v === null || v === UNKNOWN) continue;
        if (!kind) {
          f.add(prop, `${prop} is not a follow parameter; known: ${Object.keys(FOLLOW_PARAMETER_KINDS).join(", ")}.`);
        } else if (kind === "count") {
          f.optionalInteger(prop, v, 1, 2147483647);
        } else if (kind === "bytes") {
          const b = parseByteSize(v);
          if (b === undefined || b <= 0n) f.add(prop, `${prop} must be a positive byte size such as "32mb"; got ${JSON.stringify(v)}.`);
        } else {
          const ms = parseDuration(v);
          if (ms === undefined || ms <= 0)
            f.add(prop, `${prop} must be a positive time value such as "500ms" or "1m"; got ${JSON.stringify(v)}.`);
          else if (k === "maxRetryDelay" && ms > MAX_RETRY_DELAY_MS) f.add(prop, `${prop} must be at most 5m; got ${JSON.stringify(v)}.`);
        }
      }
    }
  }

  const settings = news["settings"];
  if (settings !== undefined && settings !== null && settings !== UNKNOWN) {
    if (typeof settings !== "object" || Array.isArray(settings)) f.add("settings", "settings must be an object of index settings.");
    else {
      const normalized: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(settings as Record<string, unknown>)) {
        const key = k.startsWith("index.") ? k : `index.${k}`;
        if (FORBIDDEN_FOLLOWER_SETTINGS.includes(key)) {
          f.add(`settings.${k}`, `settings.${k} cannot be set on a follower (it is replicated from the leader or managed by ccr-dr).`);
        } else if (v === UNKNOWN) {
          normalized[key] = v;
        } else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
          normalized[key] = String(v);
        } else {
          f.add(`settings.${k}`, `settings.${k} must be a string, number or boolean.`);
        }
      }
      out["settings"] = normalized;
    }
  }

  const wfas = news["waitForActiveShards"] ?? "1";
  if (wfas !== UNKNOWN) {
    const s = String(wfas);
    if (!(s === "all" || /^\d+$/.test(s)) || (typeof wfas !== "string" && typeof wfas !== "number")) {
      f.add("waitForActiveShards", `waitForActiveShards must be "all" or a number of shard copies; got ${JSON.stringify(wfas)}.`);
    }
    out["waitForActiveShards"] = s;
  }
  out["status"] = news["status"] ?? "active";
  f.optionalEnum("status", out["status"], ["active", "paused"]);
  out["onDelete"] = news["onDelete"] ?? "promote";
  f.optionalEnum("onDelete", out["onDelete"], ["promote", "deleteIndex"]);
  f.optionalInteger("activeTimeoutMs", news["activeTimeoutMs"], 1_000, 3_600_000);
  const deleteMeans = news["deleteMeans"];
  if (deleteMeans !== undefined && deleteMeans !== null && deleteMeans !== UNKNOWN && typeof deleteMeans !== "string")
    f.add("deleteMeans", "deleteMeans must be a string (what deleting the resource does, in words).");

  const failback = news["failback"];
  if (failback !== undefined && failback !== null && failback !== UNKNOWN) {
    if (typeof failback !== "object" || Array.isArray(failback)) f.add("failback", "failback must be { enabled, quarantineIndex }.");
    else {
      const fb = failback as Record<string, unknown>;
      if (fb["enabled"] !== UNKNOWN && typeof fb["enabled"] !== "boolean")
        f.add("failback.enabled", "failback.enabled must be true or false.");
      if (fb["enabled"] === true) {
        f.indexName("failback.quarantineIndex", fb["quarantineIndex"]);
        const q = fb["quarantineIndex"];
        if (q !== UNKNOWN && (q === news["index"] || q === news["leaderIndex"])) {
          f.add("failback.quarantineIndex", "failback.quarantineIndex must differ from index and leaderIndex.");
        }
        if (leaderConn === undefined || leaderConn === null) {
          f.add(
            "leaderConnection",
            "leaderConnection is required when failback is enabled: failback reads the new leader's promotion record to prove lineage and find divergent writes.",
          );
        }
      } else if (fb["quarantineIndex"] !== undefined && fb["quarantineIndex"] !== UNKNOWN) {
        f.indexName("failback.quarantineIndex", fb["quarantineIndex"]);
      }
    }
  }
  return { inputs: out, failures: f.list };
}

/**
 * `diff`. Replacement: a new follower index name (create-before-delete: a different index); a new
 * leader or alias, and a follower found fatal or unfollowed by `refresh` (delete-before-replace:
 * the same index is promoted by the delete half and re-created by the create half, see
 * `isPristinePromotion`). Everything else, including a new provider code, is an update.
 */
export function diffFollowerIndex(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const keys = FOLLOWER_INPUT_KEYS.filter((k) => k !== "parameters" && k !== "status");
  const changed = changedKeys(olds, news, keys);
  const np = news["parameters"];
  if (isUnknown(np) || !deepEqual(canonicalFollowParameters(olds["parameters"] as never), canonicalFollowParameters(np as never))) {
    changed.push("parameters");
  }
  const observed = olds["status"] as ObservedStatus | undefined;
  const broken = observed === "fatal" || observed === "unfollowed";
  if (broken || isUnknown(news["status"]) || observed !== news["status"]) changed.push("status");
  const replaces: string[] = [];
  if (changed.includes("index")) replaces.push("index");
  if (changed.includes("remoteCluster")) replaces.push("remoteCluster");
  if (changed.includes("leaderIndex")) replaces.push("leaderIndex");
  if (broken) replaces.push("status");
  const deleteBeforeReplace = replaces.some((k) => k !== "index");
  return { changes: changed.length > 0, replaces, deleteBeforeReplace };
}

function followerConnection(i: Pick<FollowerIndexInputs, "connection" | "credentials">): Connection {
  return joinConnection(i.connection, i.credentials);
}

function deps0(deps: FollowerIndexDeps): { connect: (c: Connection) => Es; runtime: Runtime } {
  return { connect: deps.connect ?? realConnect, runtime: deps.runtime ?? defaultRuntime() };
}

async function lineageVerdict(
  es: Es,
  world: FollowerWorld,
  d: FollowerIndexInputs,
  connect: (c: Connection) => Es,
): Promise<LineageVerdict> {
  const local = world.index!;
  const leader = connect(joinConnection(d.leaderConnection!, d.leaderCredentials));
  const view = await readLeaderView(leader, d.leaderIndex);
  if (!view.index) return { ok: false, reason: `leader index "${d.leaderIndex}" does not exist on cluster "${leader.cluster}"` };
  const here = await info(es);
  return verifyLineage({
    record: view.index.promotion,
    leaderIndex: d.leaderIndex,
    leaderCluster: leader.cluster,
    localCluster: es.cluster,
    index: d.index,
    indexUuid: local.uuid,
    numberOfShards: local.numberOfShards,
    clusterUuid: here.clusterUuid,
  });
}

async function leaderIdentity(
  d: FollowerIndexInputs,
  previous: FollowerIndexOutputs | undefined,
  connect: (c: Connection) => Es,
  warnings: string[],
): Promise<LeaderIdentity | undefined> {
  const same = previous && previous.leaderIndex === d.leaderIndex && previous.remoteCluster === d.remoteCluster;
  if (same && previous.leaderIdentity) return previous.leaderIdentity;
  if (!d.leaderConnection) return undefined;
  try {
    const leader = connect(joinConnection(d.leaderConnection, d.leaderCredentials));
    const [cluster, index] = [await info(leader), await indicesGet(leader, d.leaderIndex)];
    if (!index) return undefined;
    return { clusterName: cluster.clusterName, clusterUuid: cluster.clusterUuid, indexUuid: index.uuid };
  } catch (err) {
    warnings.push(
      `could not record the identity of leader "${d.leaderIndex}" through leaderConnection (${messageOf(err)}); ` +
        "a later failback onto this cluster needs it to prove lineage.",
    );
    return undefined;
  }
}

function observedStatus(world: FollowerWorld): ObservedStatus {
  const i = world.index;
  if (!i?.follow) return "unfollowed";
  if (i.fatalError) return "fatal";
  return i.follow.status;
}

function outputsOf(
  d: Omit<FollowerIndexInputs, "status">,
  world: FollowerWorld,
  extra: {
    leaderIdentity?: LeaderIdentity | undefined;
    quarantinedDocuments: number;
    failbackReport?: FailbackReport | undefined;
    warnings: string[];
  },
): FollowerIndexOutputs {
  const i = world.index;
  const stats = i?.followStats;
  return compact({
    connection: d.connection,
    credentials: d.credentials,
    leaderConnection: d.leaderConnection,
    leaderCredentials: d.leaderCredentials,
    index: d.index,
    remoteCluster: d.remoteCluster,
    leaderIndex: d.leaderIndex,
    parameters: d.parameters,
    settings: d.settings,
    waitForActiveShards: d.waitForActiveShards,
    onDelete: d.onDelete,
    failback: d.failback,
    activeTimeoutMs: d.activeTimeoutMs,
    deleteMeans: d.deleteMeans,
    status: observedStatus(world),
    fatalError: i?.fatalError,
    indexUuid: i?.uuid,
    shards: stats
      ? stats.shards.map((s) => ({
          shard: s.shard,
          followerGlobalCheckpoint: s.followerGlobalCheckpoint,
          followerMaxSeqNo: s.followerMaxSeqNo,
          leaderGlobalCheckpoint: s.leaderGlobalCheckpoint,
          leaderMaxSeqNo: s.leaderMaxSeqNo,
        }))
      : i?.seqNos?.map((s) => ({ shard: s.shard, followerGlobalCheckpoint: s.globalCheckpoint, followerMaxSeqNo: s.maxSeqNo })),
    globalCheckpointLag: stats?.globalCheckpointLag,
    leaderIdentity: extra.leaderIdentity,
    quarantinedDocuments: extra.quarantinedDocuments,
    failbackReport: extra.failbackReport,
    warnings: extra.warnings,
  });
}

/** create and update: read the world, plan, run, read back. */
async function converge(d: FollowerIndexInputs, deps: FollowerIndexDeps, previous?: FollowerIndexOutputs): Promise<FollowerIndexOutputs> {
  const { connect, runtime } = deps0(deps);
  const es = connect(followerConnection(d));
  const quarantineIndex = d.failback?.enabled ? d.failback.quarantineIndex : undefined;
  const world = await readFollowerWorld(es, d.index, quarantineIndex);
  const verdict = needsLineage(world, d) ? await lineageVerdict(es, world, d, connect) : undefined;
  const plan = planEnsure(world, d, { verdict, previousSettings: previous?.settings, cluster: es.cluster });
  const warnings: string[] = [];
  const identity = await leaderIdentity(d, previous, connect, warnings);
  for (const w of [...plan.warnings, ...warnings]) runtime.warn(`FollowerIndex "${d.index}": ${w}`);
  const result = await executeFollowerOps({ es, runtime }, plan.ops);
  const after = await readFollowerWorld(es, d.index);

  // A failback's quarantine count: from this run, or (for a create re-run after a crash that
  // came after the quarantine) from the complete quarantine record, whose name is unique per failback.
  const q = world.quarantine?.record;
  const fromRecord = previous === undefined && q?.complete === true ? q.documents : undefined;
  const quarantined = result.quarantined ?? fromRecord;
  const failbackReport: FailbackReport | undefined =
    quarantined !== undefined && quarantineIndex
      ? {
          at: runtime.now().toISOString(),
          staleIndexUuid: world.index && !world.index.follow ? world.index.uuid : (q?.sourceIndexUuid ?? ""),
          quarantineIndex,
          quarantinedDocuments: quarantined,
        }
      : previous?.failbackReport;
  const { status: _desired, ...rest } = d;
  return outputsOf(rest, after, {
    leaderIdentity: identity,
    quarantinedDocuments: quarantined ?? previous?.quarantinedDocuments ?? 0,
    failbackReport,
    warnings: [...plan.warnings, ...warnings, ...result.warnings],
  });
}

/** `create`: follow (or adopt, or fail back); wait until active. */
export async function createFollowerIndex(
  inputs: FollowerIndexInputs,
  deps: FollowerIndexDeps = {},
): Promise<{ id: string; outs: FollowerIndexOutputs }> {
  return { id: inputs.index, outs: await converge(inputs, deps) };
}

/** `update`: the same convergence as create (parameters → pause + resume, status, settings), keeping what create recorded. */
export async function updateFollowerIndex(
  olds: FollowerIndexOutputs,
  news: FollowerIndexInputs,
  deps: FollowerIndexDeps = {},
): Promise<{ outs: FollowerIndexOutputs }> {
  return { outs: await converge(news, deps, olds) };
}

/**
 * `read` (refresh). A vanished index drops the resource from the state (the next `up` follows
 * again). A status that changed out of band (paused, fatal, unfollowed) comes back in the outputs
 * and in the inputs, together with `driftReason`, so that `preview --diff` shows why it will
 * resume or re-create the follower.
 */
export async function readFollowerIndex(
  id: string,
  props: FollowerIndexOutputs,
  deps: FollowerIndexDeps = {},
): Promise<{ id?: string; props?: FollowerIndexOutputs; inputs?: Record<string, unknown> }> {
  const { connect } = deps0(deps);
  const es = connect(followerConnection(props));
  const world = await readFollowerWorld(es, props.index);
  if (!world.index) return {};
  const { status: _s, ...rest } = props;
  const outs = outputsOf({ ...rest, onDelete: props.onDelete ?? "promote" }, world, {
    leaderIdentity: props.leaderIdentity,
    quarantinedDocuments: props.quarantinedDocuments ?? 0,
    failbackReport: props.failbackReport,
    warnings: props.warnings ?? [],
  });
  if (outs.status === props.status) return { id, props: outs };
  const inputs: Record<string, unknown> = {};
  for (const k of FOLLOWER_INPUT_KEYS)
    if (outs[k as keyof FollowerIndexOutputs] !== undefined) inputs[k] = outs[k as keyof FollowerIndexOutputs];
  if (outs.deleteMeans !== undefined) inputs["deleteMeans"] = outs.deleteMeans;
  inputs["driftReason"] = driftReason(outs);
  return { id, props: outs, inputs };
}

function driftReason(o: FollowerIndexOutputs): string {
  switch (o.status) {
    case "paused":
      return "following was paused outside ccr-dr; `up` resumes it";
    case "active":
      return "following was resumed outside ccr-dr; `up` pauses it";
    case "fatal":
      return `the follower stopped with a fatal error (${o.fatalError}); \`up\` re-creates it from the leader`;
    case "unfollowed":
      return "the index was converted to a regular index outside ccr-dr; `up` records the promotion and refuses to overwrite it unless failback proves it safe";
  }
}

/** `delete`: promote (default) or delete the follower index, each step skipped when already done. Talks to the follower cluster only. */
export async function deleteFollowerIndex(props: FollowerIndexOutputs, deps: FollowerIndexDeps = {}): Promise<void> {
  const { connect, runtime } = deps0(deps);
  const es = connect(followerConnection(props));
  const world = await readFollowerWorld(es, props.index, undefined, { stats: false });
  const plan = planDelete(world, { ...props, onDelete: props.onDelete ?? "promote" }, es.cluster);
  for (const w of plan.warnings) runtime.warn(`FollowerIndex "${props.index}": ${w}`);
  await executeFollowerOps({ es, runtime }, plan.ops);
}

/** The dynamic provider: thin delegation to the functions above. */
export const followerIndexProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return checkFollowerIndex(news);
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return diffFollowerIndex(olds, news);
  },
  async create(inputs: FollowerIndexInputs) {
    return createFollowerIndex(inputs);
  },
  async read(id: string, props: FollowerIndexOutputs) {
    return readFollowerIndex(id, props);
  },
  async update(_id: string, olds: FollowerIndexOutputs, news: FollowerIndexInputs) {
    return updateFollowerIndex(olds, news);
  },
  async delete(_id: string, props: FollowerIndexOutputs) {
    await deleteFollowerIndex(props);
  },
};
