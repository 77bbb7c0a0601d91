/**
 * The connecting side of the es-sim transport: one `PeerConnection` per configured remote cluster.
 * It connects to the first reachable address of its list, performs the handshake, multiplexes
 * requests by id, and keeps trying to reconnect in the background (bounded exponential back-off)
 * for as long as it is open — so a remote whose process dies shows `connected: false` and comes
 * back by itself when the process returns, like an Elasticsearch remote-cluster connection.
 */
import { EventEmitter } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { EsError } from "../engine/errors";
import { FrameDecoder, FrameError, writeFrame } from "./frame";
import {
  errorFromWire,
  handshakeProblem,
  MAX_FRAME_BYTES,
  MAX_HANDSHAKE_FRAME_BYTES,
  PROTOCOL_NAME,
  PROTOCOL_VERSION,
  type Message,
  type PeerIdentity,
} from "./protocol";

/** First background reconnect delay after a connection is lost or an attempt fails. */
export const RECONNECT_INITIAL_DELAY_MS = 100;
/** Background reconnect attempts back off up to this delay (a returning peer is found within it). */
export const RECONNECT_MAX_DELAY_MS = 2_000;
/** Bound of one TCP connect plus handshake (ES `transport.connect_timeout` is 30s; local peers answer at once). */
export const CONNECT_TIMEOUT_MS = 5_000;

/** Why a transport call failed without an answer from the peer. */
export type TransportFailure = "connect" | "disconnected" | "timeout" | "closed";

/** A transport-level failure (no Elasticsearch exception came back): the caller maps it to ES's wording. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly kind: TransportFailure,
    message: string,
    /** The `host:port` involved. */
    readonly address: string,
    /** The action, for request failures. */
    readonly action?: string,
  ) {
    super(message);
  }
}

/** Splits `host:port` (IPv6 as `[::1]:9300`) the way ES's `parseConfiguredAddress` does. */
export function splitAddress(address: string): { host: string; port: number } {
  const sep = address.lastIndexOf(":");
  let host = address.slice(0, sep);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port: Number(address.slice(sep + 1)) };
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  action: string;
}

/** Events of a `PeerConnection`. */
export interface PeerConnectionEvents {
  connected: [peer: PeerIdentity];
  disconnected: [];
}

/** An outbound connection to one remote cluster. */
export class PeerConnection extends EventEmitter<PeerConnectionEvents> {
  private socket: Socket | undefined;
  private peerIdentity: PeerIdentity | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_INITIAL_DELAY_MS;
  /** The last connect error, for messages. */
  lastError: string | undefined;
  /** The security exception of the last refused handshake (missing or invalid credentials). */
  private refusal: EsError | undefined;

  constructor(
    /** Addresses tried in order (sniff seeds, or the single proxy address). */
    readonly addresses: string[],
    private readonly identity: () => PeerIdentity,
    /** The encoded cross-cluster API key to present, read at each connect (the keystore may be reloaded). */
    private readonly credentials: () => string | undefined = () => undefined,
  ) {
    super();
  }

  /** Whether a handshaken connection is up. */
  get isConnected(): boolean {
    return this.peerIdentity !== undefined && this.socket !== undefined && !this.socket.destroyed;
  }

  /** Whether credentials (an encoded cross-cluster API key) are configured for this remote. */
  get hasCredentials(): boolean {
    return this.credentials() !== undefined;
  }

  /** The remote node, once connected. */
  get peer(): PeerIdentity | undefined {
    return this.isConnected ? this.peerIdentity : undefined;
  }

  /** Starts connecting in the background. */
  start(): void {
    void this.connectNow().catch(() => undefined);
  }

  /** Connects now unless connected (an attempt in progress is shared); rejects with a `TransportError`. */
  ensureConnected(): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError("closed", "connection closed", this.addresses.join(",")));
    if (this.isConnected) return Promise.resolve();
    return this.connectNow();
  }

  /**
   * Drops the current connection (if any) so the next request connects again, presenting the
   * credentials as they are now (`POST _nodes/reload_secure_settings` changed them).
   */
  reconnect(): void {
    this.refusal = undefined;
    this.socket?.destroy();
    if (!this.isConnected && !this.connecting) this.start();
  }

  /**
   * Sends a request and resolves with the peer's response body, or rejects with its EsError / a
   * TransportError. A peer that refused our credentials rejects with its security exception, as
   * ES surfaces the remote cluster's authentication failure.
   */
  async request(action: string, body: unknown, timeoutMs?: number): Promise<unknown> {
    try {
      await this.ensureConnected();
    } catch (e) {
      if (this.refusal) throw this.refusal;
      throw e;
    }
    const socket = this.socket!;
    const id = this.nextId++;
    const address = `${socket.remoteAddress}:${socket.remotePort}`;
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: undefined, action };
      if (timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TransportError("timeout", `request_id [${id}] timed out after [${timeoutMs}ms]`, address, action));
        }, timeoutMs);
        entry.timer.unref();
      }
      this.pending.set(id, entry);
      writeFrame(socket, { k: "request", id, action, body });
    });
  }

  /** Stops reconnecting, drops the connection, fails pending requests. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
    this.failPending("closed", "connection closed");
  }

  private connectNow(): Promise<void> {
    if (!this.connecting) {
      if (this.reconnectTimer) {
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
      }
      this.connecting = this.tryAddresses().finally(() => {
        this.connecting = undefined;
      });
      this.connecting.then(
        () => {
          this.reconnectDelay = RECONNECT_INITIAL_DELAY_MS;
        },
        () => this.scheduleReconnect(),
      );
    }
    return this.connecting;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer || this.isConnected) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connectNow().catch(() => undefined);
    }, delay);
    this.reconnectTimer.unref();
  }

  private async tryAddresses(): Promise<void> {
    let last: TransportError | undefined;
    for (const address of this.addresses) {
      if (this.closed) break;
      try {
        await this.connectTo(address);
        return;
      } catch (e) {
        last = e instanceof TransportError ? e : new TransportError("connect", String(e), address);
      }
    }
    this.lastError = last?.message;
    throw last ?? new TransportError("connect", "no address configured", "");
  }

  private connectTo(address: string): Promise<void> {
    const { host, port } = splitAddress(address);
    return new Promise<void>((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
      let handshaken = false;
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new TransportError("connect", message, address));
      };
      const timer = setTimeout(() => fail(`connect_timeout[${CONNECT_TIMEOUT_MS}ms]`), CONNECT_TIMEOUT_MS);
      timer.unref();
      socket.once("connect", () => {
        const me = this.identity();
        const credentials = this.credentials();
        writeFrame(socket, {
          k: "handshake",
          protocol: PROTOCOL_NAME,
          version: PROTOCOL_VERSION,
          ...me,
          ...(credentials !== undefined ? { credentials } : {}),
        });
      });
      socket.on("data", (chunk: Buffer) => {
        let messages: Message[];
        try {
          messages = decoder.push(chunk);
        } catch (e) {
          if (!handshaken) fail(e instanceof FrameError ? e.message : String(e));
          else socket.destroy();
          return;
        }
        for (const m of messages) {
          if (!handshaken) {
            if (m.k === "handshake_error") {
              this.refusal = m.error ? errorFromWire(m.error) : undefined;
              return fail(`handshake failed: ${m.reason}`);
            }
            if (m.k !== "handshake_ok") return fail("handshake failed: unexpected message");
            const problem = handshakeProblem(m);
            if (problem) return fail(`handshake failed: ${problem}`);
            handshaken = true;
            settled = true;
            this.refusal = undefined;
            decoder.maxFrameBytes = MAX_FRAME_BYTES;
            clearTimeout(timer);
            this.adopt(socket, {
              clusterName: m.clusterName,
              clusterUuid: m.clusterUuid,
              nodeName: m.nodeName,
              nodeId: m.nodeId,
              esVersion: m.esVersion,
            });
            resolve();
            continue;
          }
          this.onMessage(m);
        }
      });
      socket.on("error", (e: NodeJS.ErrnoException) => {
        if (!handshaken) fail(describeSocketError(e, host, port));
      });
      socket.on("close", () => {
        if (!handshaken) fail(`connection to [${address}] closed during handshake`);
        else if (this.socket === socket) this.onLost();
      });
    });
  }

  private adopt(socket: Socket, peer: PeerIdentity): void {
    this.socket = socket;
    this.peerIdentity = peer;
    this.lastError = undefined;
    this.emit("connected", peer);
  }

  private onMessage(m: Message): void {
    if (m.k !== "response" && m.k !== "error") return;
    const entry = this.pending.get(m.id);
    if (!entry) return;
    this.pending.delete(m.id);
    if (entry.timer) clearTimeout(entry.timer);
    if (m.k === "response") entry.resolve(m.body);
    else entry.reject(errorFromWire(m.error));
  }

  private onLost(): void {
    this.socket = undefined;
    this.peerIdentity = undefined;
    this.failPending("disconnected", "disconnected");
    this.emit("disconnected");
    this.scheduleReconnect();
  }

  private failPending(kind: TransportFailure, message: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const p of entries) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new TransportError(kind, message, this.addresses.join(","), p.action));
    }
  }
}

/** Words a socket failure like the JVM does in ES's `ConnectTransportException` causes. */
function describeSocketError(e: NodeJS.ErrnoException, host: string, port: number): string {
  switch (e.code) {
    case "ECONNREFUSED":
      return `Connection refused: ${host}/${host}:${port}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `unknown host [${host}]`;
    case "ETIMEDOUT":
      return `connection timed out: ${host}/${host}:${port}`;
    default:
      return `${e.code ?? "error"}: ${e.message}`;
  }
}

/** Whether an error is an EsError raised by the peer (as opposed to a transport failure). */
export function isRemoteEsError(e: unknown): e is EsError {
  return e instanceof EsError;
}
