/**
 * Transport security of es-sim with `xpack.security.enabled=true`, against real processes over
 * real sockets: a peer without a cross-cluster API key is refused at the handshake (nothing read,
 * no lease touched), an unsecured follower cannot follow a secured leader, a key's `replication`
 * access limits what a follower may replicate, the keystore + `reload_secure_settings` apply a
 * key without restart, and frames before the handshake are bounded (a 400 MB frame header closes
 * the connection at once, the node's memory does not grow).
 */
import { connect, type Socket } from "node:net";
import { http } from "../../helpers/sim";
import { SimFleet, waitFor } from "../../helpers/ccr";
import { basic, createReplicationKey, keystoreAdd } from "../../helpers/security";
import type { SpawnedSim } from "../../helpers/sim";

jest.setTimeout(120_000);

const PASSWORD = "leader-pw-123";
const ADMIN = basic("elastic", PASSWORD);
const fleet = new SimFleet();
let leader: SpawnedSim; // secured
let follower: SpawnedSim; // secured, holds a key for alias "leader"
let open: SpawnedSim; // unsecured

function frame(message: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(message), "utf8");
  const header = Buffer.alloc(6);
  header.write("ES", 0, "latin1");
  header.writeUInt32BE(payload.length, 2);
  return Buffer.concat([header, payload]);
}

/** Connects to a transport address; collects decoded frames until the peer closes or `ms` pass. */
function rawTransport(address: string): Promise<{ socket: Socket; messages: any[]; closed: Promise<void> }> {
  const sep = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.slice(0, sep), port: Number(address.slice(sep + 1)) });
    const messages: any[] = [];
    let buf = Buffer.alloc(0);
    socket.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 6) {
        const len = buf.readUInt32BE(2);
        if (buf.length < 6 + len) break;
        messages.push(JSON.parse(buf.subarray(6, 6 + len).toString("utf8")));
        buf = buf.subarray(6 + len);
      }
    });
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    socket.on("error", () => undefined);
    socket.once("connect", () => resolve({ socket, messages, closed }));
    socket.once("error", reject);
  });
}

const handshake = (credentials?: string) => ({
  k: "handshake",
  protocol: "es-sim-transport",
  version: 1,
  clusterName: "intruder",
  clusterUuid: "x",
  nodeName: "intruder",
  nodeId: "x",
  esVersion: "8.17.0",
  ...(credentials ? { credentials } : {}),
});

beforeAll(async () => {
  const secured = { settings: { "xpack.security.enabled": "true" }, env: { ELASTIC_PASSWORD: PASSWORD } };
  [leader, follower, open] = await Promise.all([
    fleet.spawn({ clusterName: "leader", ...secured }),
    fleet.spawn({ clusterName: "follower", ...secured }),
    fleet.spawn({ clusterName: "open" }),
  ]);
  for (const index of ["orders", "secret"]) {
    const r = await http(leader.url, "PUT", `/${index}/_doc/1?refresh=true`, { n: 1 }, ADMIN);
    expect(r.status).toBe(201);
  }
  const remote = { persistent: { cluster: { remote: { leader: { mode: "proxy", proxy_address: leader.transportAddress } } } } };
  expect((await http(follower.url, "PUT", "/_cluster/settings", remote, ADMIN)).status).toBe(200);
  expect((await http(open.url, "PUT", "/_cluster/settings", remote)).status).toBe(200);
});
afterAll(() => fleet.cleanup());

test("a peer without credentials is refused at the handshake: no cluster state, no document, no lease", async () => {
  const t = await rawTransport(leader.transportAddress);
  t.socket.write(frame(handshake()));
  t.socket.write(frame({ k: "request", id: 1, action: "cluster:monitor/state", body: {} }));
  t.socket.write(frame({ k: "request", id: 2, action: "indices:data/read/xpack/ccr/shard_changes", body: { index: "orders", uuid: "" } }));
  // the refusal closes the connection; a node serving anyone answers instead (and stays connected)
  await Promise.race([t.closed, new Promise((r) => setTimeout(r, 3_000).unref())]);
  t.socket.destroy();
  expect(t.messages).toEqual([
    {
      k: "handshake_error",
      reason: "security_exception: missing authentication credentials for action [cluster:internal/remote_cluster/handshake]",
      error: {
        type: "security_exception",
        status: 401,
        reason: "missing authentication credentials for action [cluster:internal/remote_cluster/handshake]",
      },
    },
  ]);
  // a forged key is refused the same way
  const forged = await rawTransport(leader.transportAddress);
  forged.socket.write(frame(handshake(Buffer.from("id:secret").toString("base64"))));
  await Promise.race([forged.closed, new Promise((r) => setTimeout(r, 3_000).unref())]);
  forged.socket.destroy();
  expect(forged.messages[0]).toMatchObject({
    k: "handshake_error",
    error: {
      type: "security_exception",
      reason: "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    },
  });
  expect(forged.messages).toHaveLength(1);
});

test("an unsecured es-sim cannot follow a secured leader", async () => {
  const r = await http(open.url, "PUT", "/orders-copy/_ccr/follow?wait_for_active_shards=1", {
    remote_cluster: "leader",
    leader_index: "orders",
  });
  expect(r.status).toBe(401);
  expect(r.body.error).toMatchObject({
    type: "security_exception",
    reason: "missing authentication credentials for action [cluster:internal/remote_cluster/handshake]",
  });
  expect((await http(open.url, "GET", "/orders-copy")).status).toBe(404);
});

test("a key from the keystore, applied by reload_secure_settings, replicates what its access names and nothing else", async () => {
  const before = await http(
    follower.url,
    "PUT",
    "/orders-copy/_ccr/follow?wait_for_active_shards=1",
    { remote_cluster: "leader", leader_index: "orders" },
    ADMIN,
  );
  expect(before.status).toBe(401);
  const encoded = await createReplicationKey(leader, ADMIN, ["orders*"]);
  await keystoreAdd(follower.dataDir, "cluster.remote.leader.credentials", encoded);
  const reload = await http(follower.url, "POST", "/_nodes/reload_secure_settings", undefined, ADMIN);
  expect(reload.body).toMatchObject({ _nodes: { total: 1, successful: 1, failed: 0 }, cluster_name: "follower" });
  const follow = await http(
    follower.url,
    "PUT",
    "/orders-copy/_ccr/follow?wait_for_active_shards=1",
    { remote_cluster: "leader", leader_index: "orders" },
    ADMIN,
  );
  expect(follow.status).toBe(200);
  await waitFor("orders-copy to hold the leader's document", async () => {
    const c = await http(follower.url, "GET", "/orders-copy/_count", undefined, ADMIN);
    return c.body.count === 1;
  });
  const denied = await http(
    follower.url,
    "PUT",
    "/secret-copy/_ccr/follow?wait_for_active_shards=1",
    { remote_cluster: "leader", leader_index: "secret" },
    ADMIN,
  );
  expect(denied.status).toBe(403);
  expect(denied.body.error.type).toBe("security_exception");
  expect(denied.body.error.reason).toMatch(
    /^action \[indices:internal\/admin\/ccr\/restore\/session\/put\] towards remote cluster is unauthorized for user \[_system\] with assigned roles \[\] authenticated by API key id \[[^\]]+\] of user \[elastic\] on indices \[secret\], this action is granted by the index privileges \[cross_cluster_replication_internal,all\]$/,
  );
});

test("frames before the handshake are bounded: a 400 MB frame closes the connection at once, memory stays flat", async () => {
  // the node's resident memory (`process.mem` of `_nodes/stats`)
  const rss = async (): Promise<number> => {
    const b = (await http(leader.url, "GET", "/_nodes/stats/process", undefined, ADMIN)).body;
    return (Object.values(b.nodes)[0] as any).process.mem.total_virtual_in_bytes;
  };
  const baseline = await rss();
  const t = await rawTransport(leader.transportAddress);
  const header = Buffer.alloc(6);
  header.write("ES", 0, "latin1");
  header.writeUInt32BE(400 * 1024 * 1024, 2);
  t.socket.write(header);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let sent = 0;
  let closed = false;
  void t.closed.then(() => (closed = true));
  // the old behaviour: the node keeps reading (and holding) up to 512 MiB for this one frame
  while (!closed && sent < 200) {
    const more = t.socket.write(chunk);
    sent++;
    if (!more) await Promise.race([new Promise((r) => t.socket.once("drain", r)), t.closed]);
  }
  await Promise.race([t.closed, new Promise((r) => setTimeout(r, 3_000).unref())]);
  t.socket.destroy();
  expect(closed).toBe(true);
  expect(sent).toBeLessThan(200);
  expect(t.messages).toEqual([]);
  const after = await rss();
  expect(after - baseline).toBeLessThan(100 * 1024 * 1024);
});
