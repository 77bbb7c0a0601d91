/**
 * The listening side of the es-sim transport: a TCP server on `transport.port` that performs the
 * handshake and dispatches requests to registered action handlers (the CCR leader actions). A
 * handler's `EsError` travels back to the caller unchanged; anything else becomes ES's generic
 * `exception` (500). Unknown actions answer `action_not_found_transport_exception`, as ES does.
 * With an `authenticate` hook (security enabled) a peer is served only once its handshake
 * credentials pass; until then its frames are limited to `MAX_HANDSHAKE_FRAME_BYTES`.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { EsError } from "../engine/errors";
import { FrameDecoder, FrameError, writeFrame } from "./frame";
import {
  errorToWire,
  handshakeProblem,
  MAX_FRAME_BYTES,
  MAX_HANDSHAKE_FRAME_BYTES,
  PROTOCOL_NAME,
  PROTOCOL_VERSION,
  type Message,
  type PeerIdentity,
} from "./protocol";

/** A peer must complete the handshake within this time, or it is disconnected. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Handles one action; `peer` is the identity the caller gave in its handshake, `auth` what
 * `authenticate` made of its credentials (undefined when the server authenticates nobody).
 */
export type ActionHandler = (body: unknown, peer: PeerIdentity, auth: unknown) => Promise<unknown> | unknown;

/** Options of `TransportServer.start`. */
export interface TransportServerOptions {
  host: string;
  port: number;
  /** This node's identity, sent in every handshake (a function: the cluster uuid is known late). */
  identity: () => PeerIdentity;
  /**
   * With security enabled: checks a handshake's credentials, returning what the action handlers
   * receive as `auth`, or throwing the `EsError` the peer is refused with (the connection is then
   * closed, nothing served). Absent: every peer is served (security disabled).
   */
  authenticate?: (credentials: string | undefined, peer: PeerIdentity) => unknown;
}

/** A started transport listener. */
export class TransportServer {
  private readonly handlers = new Map<string, ActionHandler>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly opts: TransportServerOptions,
  ) {}

  /** Binds `host:port` (port 0 picks a free one) and starts accepting peers. */
  static async start(opts: TransportServerOptions): Promise<TransportServer> {
    const server = createServer();
    const ts = new TransportServer(server, opts);
    server.on("connection", (socket) => ts.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return ts;
  }

  /** The bound port. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The bound `host:port`, as remote clusters should be configured to reach it. */
  get publishAddress(): string {
    const host = this.opts.host === "0.0.0.0" ? "127.0.0.1" : this.opts.host;
    return `${host.includes(":") ? `[${host}]` : host}:${this.port}`;
  }

  /** Registers the handler of an action (e.g. `indices:data/read/xpack/ccr/shard_changes`). */
  register(action: string, handler: ActionHandler): void {
    this.handlers.set(action, handler);
  }

  /** Stops listening and drops every peer connection. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
    let peer: PeerIdentity | undefined;
    let auth: unknown;
    let refused = false;
    const handshakeTimer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    handshakeTimer.unref();
    const send = (m: Message) => {
      if (!socket.destroyed) writeFrame(socket, m);
    };
    socket.on("data", (chunk: Buffer) => {
      if (refused) return;
      let messages: Message[];
      try {
        messages = decoder.push(chunk);
      } catch (e) {
        if (e instanceof FrameError) {
          socket.destroy();
          return;
        }
        throw e;
      }
      for (const m of messages) {
        if (!peer) {
          if (m.k !== "handshake") {
            socket.destroy();
            return;
          }
          const problem = handshakeProblem(m);
          if (problem) {
            send({ k: "handshake_error", reason: problem });
            socket.end();
            return;
          }
          const who = {
            clusterName: m.clusterName,
            clusterUuid: m.clusterUuid,
            nodeName: m.nodeName,
            nodeId: m.nodeId,
            esVersion: m.esVersion,
          };
          if (this.opts.authenticate) {
            try {
              auth = this.opts.authenticate(typeof m.credentials === "string" ? m.credentials : undefined, who);
            } catch (e) {
              const err = e instanceof EsError ? e : new EsError("security_exception", 401, String(e));
              // what a refused peer sends next is read and dropped (not left unread: closing a socket
              // with unread input resets the connection and the peer would lose the refusal)
              refused = true;
              send({ k: "handshake_error", reason: `${err.type}: ${err.reason}`, error: errorToWire(err) });
              // half-close: the peer reads the refusal and closes; one that does not is dropped by the handshake timer
              socket.end();
              return;
            }
          }
          clearTimeout(handshakeTimer);
          peer = who;
          decoder.maxFrameBytes = MAX_FRAME_BYTES;
          send({ k: "handshake_ok", protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...this.opts.identity() });
          continue;
        }
        if (m.k !== "request") continue;
        void this.dispatch(m.id, m.action, m.body, peer, auth, send);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(handshakeTimer);
      this.sockets.delete(socket);
    });
  }

  private async dispatch(
    id: number,
    action: string,
    body: unknown,
    peer: PeerIdentity,
    auth: unknown,
    send: (m: Message) => void,
  ): Promise<void> {
    const handler = this.handlers.get(action);
    if (!handler) {
      send({
        k: "error",
        id,
        error: errorToWire(new EsError("action_not_found_transport_exception", 400, `No handler for action [${action}]`)),
      });
      return;
    }
    try {
      const result = await handler(body, peer, auth);
      send({ k: "response", id, body: result ?? null });
    } catch (e) {
      const err = e instanceof EsError ? e : new EsError("exception", 500, e instanceof Error ? e.message : String(e));
      send({ k: "error", id, error: errorToWire(err) });
    }
  }
}
