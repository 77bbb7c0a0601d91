/**
 * The es-sim transport protocol: framing over arbitrary TCP chunking, the versioned handshake,
 * request/response multiplexing, Elasticsearch exceptions crossing the wire unchanged, and the
 * client's behaviour when the peer is absent, dies mid-request, or comes back.
 */
import { EsError } from "../../../../sim/engine/errors";
import { PeerConnection, TransportError } from "../../../../sim/transport/client";
import { encodeFrame, FrameDecoder, FrameError } from "../../../../sim/transport/frame";
import { PROTOCOL_NAME, type Message, type PeerIdentity } from "../../../../sim/transport/protocol";
import { TransportServer } from "../../../../sim/transport/server";
import { connect } from "node:net";

const me: PeerIdentity = { clusterName: "client-cluster", clusterUuid: "u1", nodeName: "n1", nodeId: "id1", esVersion: "8.19.2" };
const them = (): PeerIdentity => ({ clusterName: "server-cluster", clusterUuid: "u2", nodeName: "n2", nodeId: "id2", esVersion: "8.19.2" });

const servers: TransportServer[] = [];
const clients: PeerConnection[] = [];
async function server(port = 0): Promise<TransportServer> {
  const s = await TransportServer.start({ host: "127.0.0.1", port, identity: them });
  s.register("echo", (body) => ({ echoed: body }));
  s.register("fail", () => {
    throw new EsError("index_not_found_exception", 404, "no such index [x]", { index: "x" }, new EsError("cause_exception", 400, "inner"));
  });
  s.register("slow", () => new Promise((r) => setTimeout(() => r({ late: true }), 10_000).unref()));
  servers.push(s);
  return s;
}
function client(addresses: string[]): PeerConnection {
  const c = new PeerConnection(addresses, () => me);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
});

describe("framing", () => {
  test("decodes frames split at every byte and several frames in one chunk", () => {
    const msgs: Message[] = [
      { k: "request", id: 1, action: "a", body: { text: "é ✓ 😀".repeat(50) } },
      { k: "response", id: 1, body: [1, 2, 3] },
    ];
    const bytes = Buffer.concat(msgs.map(encodeFrame));
    const d = new FrameDecoder();
    const out: Message[] = [];
    for (const b of bytes) out.push(...d.push(Buffer.from([b])));
    expect(out).toEqual(msgs);
    expect(new FrameDecoder().push(bytes)).toEqual(msgs);
  });
  test("a non-es-sim byte stream is a FrameError", () => {
    expect(() => new FrameDecoder().push(Buffer.from("GET / HTTP/1.1\r\n\r\n"))).toThrow(FrameError);
  });
});

describe("handshake and requests", () => {
  test("handshake exchanges identities; requests are answered by action", async () => {
    const s = await server();
    const c = client([s.publishAddress]);
    await c.ensureConnected();
    expect(c.isConnected).toBe(true);
    expect(c.peer).toEqual(them());
    const answers = await Promise.all([c.request("echo", { n: 1 }), c.request("echo", { n: 2 })]);
    expect(answers).toEqual([{ echoed: { n: 1 } }, { echoed: { n: 2 } }]);
  });

  test("the peer's Elasticsearch exception arrives unchanged (type, status, reason, metadata, cause)", async () => {
    const s = await server();
    const c = client([s.publishAddress]);
    const e = (await c.request("fail", {}).catch((x) => x)) as EsError;
    expect(e).toBeInstanceOf(EsError);
    expect(e.toJSON()).toEqual({
      type: "index_not_found_exception",
      reason: "no such index [x]",
      index: "x",
      caused_by: { type: "cause_exception", reason: "inner" },
    });
    expect(e.status).toBe(404);
    const unknown = (await c.request("no-such-action", {}).catch((x) => x)) as EsError;
    expect(unknown.type).toBe("action_not_found_transport_exception");
    expect(unknown.reason).toBe("No handler for action [no-such-action]");
  });

  test("a peer speaking another protocol version is refused at the handshake", async () => {
    const s = await server();
    const socket = connect(s.port, "127.0.0.1");
    const reply = await new Promise<Message[]>((resolve) => {
      const d = new FrameDecoder();
      socket.on("data", (b) => resolve(d.push(b)));
      socket.write(encodeFrame({ k: "handshake", protocol: PROTOCOL_NAME, version: 99, ...me }));
    });
    socket.destroy();
    expect(reply[0]).toEqual({ k: "handshake_error", reason: "unsupported es-sim transport protocol version [99]; this node speaks [1]" });
  });

  test("an HTTP server or other non-peer is not a connection", async () => {
    const http = await import("node:http");
    const plain = http.createServer((_req, res) => res.end("hello"));
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", () => r()));
    const port = (plain.address() as { port: number }).port;
    const c = client([`127.0.0.1:${port}`]);
    const e = (await c.ensureConnected().catch((x) => x)) as TransportError;
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe("connect");
    expect(c.isConnected).toBe(false);
    plain.closeAllConnections();
    await new Promise((r) => plain.close(r));
  });
});

describe("failures and reconnection", () => {
  test("a dead address fails with a connect error and stays disconnected", async () => {
    const c = client(["127.0.0.1:1"]);
    const e = (await c.request("echo", {}).catch((x) => x)) as TransportError;
    expect(e.kind).toBe("connect");
    expect(e.message).toMatch(/Connection refused/);
    expect(c.isConnected).toBe(false);
  });

  test("sniff seeds are tried in order until one answers", async () => {
    const s = await server();
    const c = client(["127.0.0.1:1", s.publishAddress]);
    expect(await c.request("echo", "x")).toEqual({ echoed: "x" });
  });

  test("in-flight requests fail as disconnected when the peer goes away; the client reconnects by itself when it returns", async () => {
    const s = await server();
    const port = s.port;
    const c = client([s.publishAddress]);
    await c.ensureConnected();
    const pending = c.request("slow", {}).catch((x) => x);
    const disconnected = new Promise<void>((r) => c.once("disconnected", () => r()));
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const e = (await pending) as TransportError;
    expect(e.kind).toBe("disconnected");
    await disconnected;
    expect(c.isConnected).toBe(false);
    const reconnected = new Promise<void>((r) => c.once("connected", () => r()));
    await server(port);
    await reconnected; // no request needed: the background loop found it
    expect(await c.request("echo", 1)).toEqual({ echoed: 1 });
  });

  test("a request timeout is reported as such", async () => {
    const s = await server();
    const c = client([s.publishAddress]);
    const e = (await c.request("slow", {}, 50).catch((x) => x)) as TransportError;
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/timed out after \[50ms\]/);
  });
});
