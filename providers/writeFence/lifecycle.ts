/**
 * WriteFence lifecycle: a write block (`index.blocks.write`) on a primary's index during a planned
 * switchover, so nothing is acknowledged there that could miss the promoted follower. Plain async
 * functions (tests call them directly) and the dynamic provider object that delegates to them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { indicesAddBlock, indicesGet, indicesPutSettings } from "../../es/indices";
import { Failures } from "../shared/check";
import { checkConnection, type ConnectionState, type Credentials, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";

/** Stored inputs of a WriteFence. */
export interface WriteFenceInputs {
  connection: ConnectionState;
  credentials?: Credentials;
  /** The index to fence. Changing it replaces the fence. */
  index: string;
  /**
   * What deleting the resource does: `lift` (default) removes the block (the end of a switchover);
   * `keep` leaves it — the fence a forced failover puts on the old primary, which must refuse
   * writes until the failback replaces its indices (stack/splitBrain.ts).
   */
  onDelete?: "lift" | "keep";
}

/** Outputs: the inputs, plus whether the block was found in place. */
export interface WriteFenceOutputs extends WriteFenceInputs {
  blocked: boolean;
}

export interface WriteFenceDeps {
  connect?: (conn: Connection) => Es;
}

const INPUT_KEYS = ["connection", "credentials", "index", "onDelete"] as const;

function esOf(i: WriteFenceInputs, deps: WriteFenceDeps): Es {
  return (deps.connect ?? realConnect)(joinConnection(i.connection, i.credentials));
}

export function checkWriteFence(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  f.indexName("index", news["index"]);
  f.optionalEnum("onDelete", news["onDelete"], ["lift", "keep"]);
  return { inputs: news, failures: f.list };
}

export function diffWriteFence(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const changed = changedKeys(olds, news, INPUT_KEYS);
  return { changes: changed.length > 0, replaces: changed.filter((k) => k === "index"), deleteBeforeReplace: false };
}

/** Adds the block. The index must exist: fencing nothing would hide a misconfiguration. */
export async function createWriteFence(i: WriteFenceInputs, deps: WriteFenceDeps = {}): Promise<WriteFenceOutputs> {
  await indicesAddBlock(esOf(i, deps), i.index, "write");
  return { ...i, blocked: true };
}

/** Reports a block removed out of band as drift (`blocked: false`), so `up` puts it back. */
export async function readWriteFence(i: WriteFenceOutputs, deps: WriteFenceDeps = {}): Promise<WriteFenceOutputs | undefined> {
  const d = await indicesGet(esOf(i, deps), i.index);
  if (!d) return undefined;
  return { ...i, blocked: d.writeBlocked };
}

/**
 * Lifts the block (unless `onDelete` is `keep`), unless the index is gone or is a follower by now: at the end of a switchover
 * the fenced index was replaced by a follower of the new primary, and a follower's blocks are
 * not ours to touch.
 */
export async function deleteWriteFence(i: WriteFenceInputs, deps: WriteFenceDeps = {}): Promise<void> {
  if (i.onDelete === "keep") return;
  const es = esOf(i, deps);
  const d = await indicesGet(es, i.index);
  if (!d || String(d.settings["index.xpack.ccr.following_index"]) === "true" || !d.writeBlocked) return;
  await indicesPutSettings(es, i.index, { "index.blocks.write": null });
}

/** The dynamic provider: delegates to the functions above. */
export const writeFenceProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWriteFence(news);
  },
  async diff(_id, olds, news) {
    return diffWriteFence(olds, news);
  },
  async create(inputs) {
    const outs = await createWriteFence(inputs as WriteFenceInputs);
    return { id: `${outs.connection.name ?? outs.connection.endpoints[0]}/${outs.index}`, outs };
  },
  async read(id, props) {
    const outs = await readWriteFence(props as WriteFenceOutputs);
    return outs ? { id, props: outs } : {};
  },
  async update(_id, _olds, news) {
    return { outs: await createWriteFence(news as WriteFenceInputs) };
  },
  async delete(_id, props) {
    await deleteWriteFence(props as WriteFenceInputs);
  },
};
