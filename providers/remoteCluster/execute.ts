/** Runs a RemoteCluster plan: an exhaustive switch, stopping at the first error. */
import { clusterPutSettings, nodesReloadSecureSettings } from "../../es/cluster";
import type { Es } from "../../es/connection";
import { messageOf, ProviderError } from "../shared/errors";
import type { RemoteClusterOp } from "./plan";

/** Words for one op, for messages. */
export function describeRemoteClusterOp(op: RemoteClusterOp): string {
  switch (op.kind) {
    case "putSettings":
      return `write the persistent settings of remote cluster "${op.alias}"`;
    case "reloadSecureSettings":
      return `reload secure settings (the keystore's credentials of remote cluster "${op.alias}")`;
    default:
      return assertNever(op);
  }
}

/** Executes `ops` in order; on failure says which were done and rethrows as a {@link ProviderError}. */
export async function executeRemoteClusterOps(es: Es, ops: readonly RemoteClusterOp[]): Promise<string[]> {
  const done: string[] = [];
  for (const op of ops) {
    try {
      switch (op.kind) {
        case "putSettings":
          await clusterPutSettings(es, op.persistent);
          break;
        case "reloadSecureSettings": {
          const failed = await nodesReloadSecureSettings(es);
          if (failed.length > 0) throw new Error(`nodes failed to reload their keystore: ${failed.join("; ")}`);
          break;
        }
        default:
          assertNever(op);
      }
    } catch (err) {
      const message = messageOf(err);
      throw new ProviderError(
        "step_failed",
        `RemoteCluster "${op.alias}" on cluster "${es.cluster}": step "${describeRemoteClusterOp(op)}" failed` +
          `${done.length ? ` after: ${done.join("; ")}` : ""}. ${message}`,
        err,
      );
    }
    done.push(describeRemoteClusterOp(op));
  }
  return done;
}

function assertNever(x: never): never {
  throw new Error(`Internal error: unexpected operation ${JSON.stringify(x)}`);
}
