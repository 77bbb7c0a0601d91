/**
 * The es-sim transport protocol: how two es-sim processes talk over `transport.port`. It is
 * private to es-sim (real Elasticsearch nodes cannot join it) and versioned.
 *
 * Wire format — every message is one frame:
 *
 *     +------+------+---------------------------+---------------------------+
 *     | 'E'  | 'S'  | payload length (uint32 BE) | payload: UTF-8 JSON object |
 *     +------+------+---------------------------+---------------------------+
 *
 * Conversation:
 *   1. The connecting side sends `handshake` (protocol name, protocol version, its cluster name and
 *      uuid, node name and id, ES version, and — for a remote whose keystore holds them — the
 *      encoded cross-cluster API key as `credentials`). The listening side answers `handshake_ok`
 *      with its own identity, or `handshake_error` and closes when it does not speak that version
 *      or, with security enabled, when the credentials are missing or invalid (the error then
 *      carries ES's `security_exception`). Before the handshake completes, frames are limited to
 *      `MAX_HANDSHAKE_FRAME_BYTES`.
 *   2. Afterwards the connecting side sends `request`s (`id`, ES-style action name, JSON body) and
 *      the listening side answers each with `response` (same `id`, body) or `error` (same `id`, an
 *      Elasticsearch exception as JSON with its HTTP status). Responses may come in any order.
 *
 * A connection is used in one direction only (requests flow from the side that connected), like an
 * outbound Elasticsearch remote-cluster connection.
 */
import { EsError } from "../engine/errors";

/** Name carried in the handshake; a peer speaking something else is refused. */
export const PROTOCOL_NAME = "es-sim-transport";
/** Version of this protocol. Bump it on any incompatible change of a message or action body. */
export const PROTOCOL_VERSION = 1;
/** Versions this build accepts from a peer. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];
/** Frame marker, as Elasticsearch's own transport frames start with "ES". */
export const FRAME_MAGIC = Buffer.from("ES", "latin1");
/** Bytes of the frame header (magic + length). */
export const FRAME_HEADER_BYTES = 6;
/** Largest accepted payload; a bigger frame is a protocol error and closes the connection. */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;
/**
 * Largest frame accepted before the handshake completed (a handshake is a few hundred bytes):
 * an unauthenticated peer can make the node hold at most this much, and a bigger declared frame
 * closes the connection at once, before its payload is read.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 64 * 1024;

/** Who is at the other end of a connection. */
export interface PeerIdentity {
  clusterName: string;
  clusterUuid: string;
  nodeName: string;
  nodeId: string;
  /** Elasticsearch version the peer answers as (`GET /`). */
  esVersion: string;
}

/** An Elasticsearch exception as it travels: `EsError` fields plus its nested cause. */
export interface WireError {
  type: string;
  status: number;
  reason: string;
  extra?: Record<string, unknown>;
  caused_by?: WireError;
}

/** Every message of the protocol. */
export type Message =
  | ({
      k: "handshake";
      protocol: string;
      version: number;
      /** The encoded cross-cluster API key for this remote (`cluster.remote.<alias>.credentials`), if any. */
      credentials?: string;
    } & PeerIdentity)
  | ({ k: "handshake_ok"; protocol: string; version: number } & PeerIdentity)
  | { k: "handshake_error"; reason: string; /** The security exception when the peer was refused for its credentials. */ error?: WireError }
  | { k: "request"; id: number; action: string; body: unknown }
  | { k: "response"; id: number; body: unknown }
  | { k: "error"; id: number; error: WireError };

/** Serialises an EsError (and its causes) for the wire. */
export function errorToWire(error: EsError): WireError {
  const out: WireError = { type: error.type, status: error.status, reason: error.reason };
  if (Object.keys(error.extra).length > 0) out.extra = error.extra;
  if (error.causedBy) out.caused_by = errorToWire(error.causedBy);
  return out;
}

/** Rebuilds the EsError a peer raised, so it surfaces exactly as the peer reported it. */
export function errorFromWire(wire: WireError): EsError {
  return new EsError(wire.type, wire.status, wire.reason, wire.extra ?? {}, wire.caused_by ? errorFromWire(wire.caused_by) : undefined);
}

/** Checks a received handshake; returns the refusal reason, or undefined when acceptable. */
export function handshakeProblem(msg: { protocol?: unknown; version?: unknown }): string | undefined {
  if (msg.protocol !== PROTOCOL_NAME) return `not an es-sim transport peer (protocol [${String(msg.protocol)}])`;
  if (typeof msg.version !== "number" || !SUPPORTED_VERSIONS.includes(msg.version)) {
    return `unsupported es-sim transport protocol version [${String(msg.version)}]; this node speaks [${SUPPORTED_VERSIONS.join(", ")}]`;
  }
  return undefined;
}
