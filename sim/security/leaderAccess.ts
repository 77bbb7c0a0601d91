/**
 * What a cross-cluster API key may do on the leader: each leader action es-sim serves over the
 * transport, checked against the key's `replication` access before the action runs (ES checks
 * the same on its remote cluster server port). Restore-session chunks and clears name only their
 * session, so the index a session was opened on is remembered per key.
 */
import { ACTIONS } from "../ccr/actions";
import type { SecurityService } from "./service";
import type { CrossClusterApiKey } from "./store";

type Handler = (body: unknown) => Promise<unknown> | unknown;

/** Wraps a leader action's handler with the key's authorization (`auth` is the peer's key, undefined when security is off). */
export function guardLeaderAction(
  security: SecurityService,
  sessions: Map<string, string>,
  action: string,
  handler: Handler,
): (body: unknown, auth: unknown) => Promise<unknown> {
  return async (body, auth) => {
    const key = auth as CrossClusterApiKey | undefined;
    if (!key) return handler(body);
    const b = (body ?? {}) as { index?: unknown; indices?: unknown; session_id?: unknown };
    if (action === ACTIONS.clusterState) {
      if (Array.isArray(b.indices)) {
        // a follow of an index the key does not cover fails as ES's would: at its restore session
        security.authorizePeer(key, ACTIONS.restoreSessionPut, b.indices.map(String));
        return handler(body);
      }
      // auto-follow reads every index: the key sees only those its access covers
      const result = (await handler(body)) as { indices?: Array<{ name: string }> };
      if (result && Array.isArray(result.indices)) {
        result.indices = result.indices.filter((i) => security.keyGrants(key, ACTIONS.restoreSessionPut, i.name));
      }
      return result;
    }
    let index: string | undefined = typeof b.index === "string" ? b.index : undefined;
    if (index === undefined && typeof b.session_id === "string") index = sessions.get(`${key.id}/${b.session_id}`);
    if (index !== undefined) security.authorizePeer(key, action, [index]);
    const result = await handler(body);
    if (action === ACTIONS.restoreSessionPut && index !== undefined) {
      const id = (result as { session_id?: unknown } | undefined)?.session_id;
      if (typeof id === "string") sessions.set(`${key.id}/${id}`, index);
    }
    if (action === ACTIONS.restoreSessionClear && typeof b.session_id === "string") sessions.delete(`${key.id}/${b.session_id}`);
    return result;
  };
}
