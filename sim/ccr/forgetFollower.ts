/**
 * `POST /{index}/_ccr/forget_follower` (`TransportForgetFollowerAction`): on the leader, removes a
 * follower's retention lease so the leader may discard history the follower still needs; the
 * follower itself keeps following until it notices.
 */
import type { Cluster } from "../engine/cluster";
import { EsError, errors } from "../engine/errors";
import type { Json } from "../engine/types";
import { BodyReader } from "./bodyParser";

/** ObjectParser name ES reports in body errors. */
const FORGET_FOLLOWER_PARSER = "indices:admin/xpack/ccr/forget_follower";

/** `ccr.forget_follower`: removes a follower's lease from the leader index; does not stop the follower. */
export async function forgetFollower(cluster: Cluster, leaderIndex: string, body: Json, bodyText: string | undefined): Promise<Json> {
  const reader = new BodyReader(FORGET_FOLLOWER_PARSER, body, bodyText);
  const fields = ["follower_cluster", "follower_index", "follower_index_uuid", "leader_remote_cluster"] as const;
  reader.rejectUnknown(fields);
  const values: Record<string, string> = {};
  for (const f of fields) {
    const v = reader.string(f);
    // ES dereferences the four fields without a check: a missing one is a NullPointerException
    if (v === undefined) throw new EsError("null_pointer_exception", 500, `Cannot invoke "String.length()" because [${f}] is null`);
    values[f] = v;
  }
  const shard = cluster.shard(leaderIndex);
  if (!shard) throw errors.indexNotFound(leaderIndex);
  if (!shard.isOpen) throw errors.indexClosed(shard.name, shard.uuid);
  const id = `${values.follower_cluster}/${values.follower_index}/${values.follower_index_uuid}-following-${values.leader_remote_cluster}/${shard.name}/${shard.uuid}`;
  try {
    shard.removeRetentionLease(id);
    await cluster.commit();
    return { _shards: { total: 1, successful: 1, failed: 0 } };
  } catch (e) {
    if (!(e instanceof EsError)) throw e;
    return {
      _shards: {
        total: 1,
        successful: 0,
        failed: 1,
        failures: [{ shard: 0, index: shard.name, status: statusName(e.status), reason: e.toJSON() }],
      },
    };
  }
}

function statusName(status: number): string {
  const names: Record<number, string> = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    500: "INTERNAL_SERVER_ERROR",
  };
  return names[status] ?? String(status);
}
