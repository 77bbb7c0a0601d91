/**
 * `cluster.remote.<alias>.*` settings and `GET /_remote/info` against running es-sim processes:
 * proxy and sniff modes with their exact field sets, ES's validation texts (15_connection_mode_
 * configuration.yml and RemoteClusterSettings), removal by nulls, live connection state including
 * a dead address, an unresolvable host, and a peer that dies and comes back.
 */
import { http } from "../../../helpers/sim";
import { ok, SimFleet, waitFor } from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let node: SpawnedSim;
let peer: SpawnedSim;

beforeAll(async () => {
  [node, peer] = await Promise.all([fleet.spawn({ clusterName: "local-cluster" }), fleet.spawn({ clusterName: "peer-cluster" })]);
});
afterAll(() => fleet.cleanup());

async function put(body: unknown) {
  return http(node.url, "PUT", "/_cluster/settings?flat_settings=true", body);
}

async function expectIae(body: unknown, reason: string | RegExp): Promise<void> {
  const r = await put(body);
  expect(r.status).toBe(400);
  expect(r.body.error.root_cause[0].type).toBe("illegal_argument_exception");
  if (typeof reason === "string") expect(r.body.error.root_cause[0].reason).toBe(reason);
  else expect(r.body.error.root_cause[0].reason).toMatch(reason);
}

const info = async () => ok(node.url, "GET", "/_remote/info");

test("no remotes: `{}`", async () => {
  expect(await info()).toEqual({});
});

test("proxy mode: the tutorial's nested string body; exact field set and live state", async () => {
  const r = await ok(node.url, "PUT", "/_cluster/settings", {
    persistent: {
      cluster: {
        remote: {
          p1: {
            mode: "proxy",
            skip_unavailable: "true",
            server_name: "p1.example",
            proxy_socket_connections: "18",
            proxy_address: peer.transportAddress,
          },
        },
      },
    },
  });
  expect(r.persistent.cluster.remote.p1.proxy_address).toBe(peer.transportAddress);
  const p1 = await waitFor("p1 connected", async () => {
    const i = await info();
    return i.p1?.connected ? i.p1 : undefined;
  });
  expect(Object.keys(p1)).toEqual([
    "connected",
    "mode",
    "proxy_address",
    "server_name",
    "num_proxy_sockets_connected",
    "max_proxy_socket_connections",
    "initial_connect_timeout",
    "skip_unavailable",
  ]);
  expect(p1).toEqual({
    connected: true,
    mode: "proxy",
    proxy_address: peer.transportAddress,
    server_name: "p1.example",
    num_proxy_sockets_connected: 18,
    max_proxy_socket_connections: 18,
    initial_connect_timeout: "30s",
    skip_unavailable: true,
  });
});

test("sniff mode: flat keys and native types; defaults; exact field set", async () => {
  const r = await put({ persistent: { "cluster.remote.s1.seeds": [peer.transportAddress], "cluster.remote.s1.skip_unavailable": false } });
  expect(r.status).toBe(200);
  expect(r.body.persistent).toEqual({ "cluster.remote.s1.seeds": [peer.transportAddress], "cluster.remote.s1.skip_unavailable": "false" });
  const s1 = await waitFor("s1 connected", async () => {
    const i = await info();
    return i.s1?.connected ? i.s1 : undefined;
  });
  expect(Object.keys(s1)).toEqual([
    "connected",
    "mode",
    "seeds",
    "num_nodes_connected",
    "max_connections_per_cluster",
    "initial_connect_timeout",
    "skip_unavailable",
  ]);
  expect(s1).toEqual({
    connected: true,
    mode: "sniff",
    seeds: [peer.transportAddress],
    num_nodes_connected: 1,
    max_connections_per_cluster: 3,
    initial_connect_timeout: "30s",
    skip_unavailable: false,
  });
});

test("a dead address and an unresolvable host are accepted and shown disconnected", async () => {
  expect(
    (
      await put({
        transient: {
          cluster: { remote: { dead: { seeds: "127.0.0.1:1" }, nohost: { mode: "proxy", proxy_address: "no-such-host.invalid:9300" } } },
        },
      })
    ).status,
  ).toBe(200);
  await new Promise((r) => setTimeout(r, 300));
  const i = await info();
  expect(i.dead).toMatchObject({ connected: false, mode: "sniff", seeds: ["127.0.0.1:1"], num_nodes_connected: 0 });
  expect(i.nohost).toMatchObject({ connected: false, mode: "proxy", num_proxy_sockets_connected: 0 });
  expect((await put({ transient: { "cluster.remote.dead.seeds": null, "cluster.remote.nohost.*": null } })).status).toBe(200);
  expect(Object.keys(await info())).toEqual(["p1", "s1"]);
});

test("mode-specific settings with the other mode are refused (15_connection_mode_configuration.yml)", async () => {
  const addr = peer.transportAddress;
  await expectIae(
    {
      transient: {
        "cluster.remote.test_remote_cluster.mode": "proxy",
        "cluster.remote.test_remote_cluster.node_connections": "5",
        "cluster.remote.test_remote_cluster.proxy_address": addr,
      },
    },
    'Setting "cluster.remote.test_remote_cluster.node_connections" cannot be used with the configured "cluster.remote.test_remote_cluster.mode" [required=SNIFF, configured=PROXY]',
  );
  await expectIae(
    {
      transient: {
        "cluster.remote.test_remote_cluster.mode": "proxy",
        "cluster.remote.test_remote_cluster.seeds": addr,
        "cluster.remote.test_remote_cluster.proxy_address": addr,
      },
    },
    'Setting "cluster.remote.test_remote_cluster.seeds" cannot be used with the configured "cluster.remote.test_remote_cluster.mode" [required=SNIFF, configured=PROXY]',
  );
  await expectIae(
    {
      transient: { "cluster.remote.test_remote_cluster.proxy_socket_connections": "20", "cluster.remote.test_remote_cluster.seeds": addr },
    },
    'Setting "cluster.remote.test_remote_cluster.proxy_socket_connections" cannot be used with the configured "cluster.remote.test_remote_cluster.mode" [required=PROXY, configured=SNIFF]',
  );
  await expectIae(
    { transient: { "cluster.remote.test_remote_cluster.proxy_address": addr, "cluster.remote.test_remote_cluster.seeds": addr } },
    'Setting "cluster.remote.test_remote_cluster.proxy_address" cannot be used with the configured "cluster.remote.test_remote_cluster.mode" [required=PROXY, configured=SNIFF]',
  );
});

test("switching sniff → proxy needs the seeds nulled in the same request", async () => {
  await expectIae(
    { persistent: { "cluster.remote.s1.mode": "proxy", "cluster.remote.s1.proxy_address": peer.transportAddress } },
    'Setting "cluster.remote.s1.seeds" cannot be used with the configured "cluster.remote.s1.mode" [required=SNIFF, configured=PROXY]',
  );
  const r = await put({
    persistent: {
      "cluster.remote.s1.mode": "proxy",
      "cluster.remote.s1.seeds": null,
      "cluster.remote.s1.proxy_address": peer.transportAddress,
    },
  });
  expect(r.status).toBe(200);
  expect(r.body.persistent).toEqual({ "cluster.remote.s1.mode": "proxy", "cluster.remote.s1.proxy_address": peer.transportAddress });
  await waitFor("s1 reconnected in proxy mode", async () => {
    const s1 = (await info()).s1;
    return s1?.mode === "proxy" && s1.connected;
  });
});

test("address syntax and value validation", async () => {
  await expectIae(
    { persistent: { "cluster.remote.bad.seeds": "localhost" } },
    "remote hosts need to be configured as [host:port], found [localhost] instead",
  );
  await expectIae({ persistent: { "cluster.remote.bad.seeds": "localhost:abc" } }, "failed to parse port");
  await expectIae({ persistent: { "cluster.remote.bad.seeds": "localhost:0" } }, "port number must be > 0 but was: [0]");
  await expectIae(
    { persistent: { "cluster.remote.bad.mode": "proxy", "cluster.remote.bad.proxy_address": "nohostport" } },
    "remote hosts need to be configured as [host:port], found [nohostport] instead",
  );
  await expectIae(
    { persistent: { "cluster.remote.bad.mode": "bogus" } },
    "No enum constant org.elasticsearch.transport.RemoteConnectionStrategy.ConnectionStrategy.BOGUS",
  );
  await expectIae(
    { persistent: { "cluster.remote.bad.seeds": "h:1", "cluster.remote.bad.node_connections": 0 } },
    "Failed to parse value [0] for setting [cluster.remote.bad.node_connections] must be >= 1",
  );
  await expectIae(
    { persistent: { "cluster.remote.bad.seeds": "h:1", "cluster.remote.bad.skip_unavailable": "maybe" } },
    "Failed to parse value [maybe] as only [true] or [false] are allowed.",
  );
  await expectIae(
    { persistent: { "cluster.remote.bad.skip_unavailable": true } },
    "Cannot configure setting [cluster.remote.bad.skip_unavailable] if remote cluster is not enabled.",
  );
  await expectIae(
    { persistent: { "cluster.remote.bad.frobnicate": 1 } },
    "persistent setting [cluster.remote.bad.frobnicate], not recognized",
  );
  await expectIae(
    { persistent: { "cluster.remote.connections_per_cluster": 5 } },
    "persistent setting [cluster.remote.connections_per_cluster], not dynamically updateable",
  );
});

test("removing a remote: null for every key in one request; seeds alone while skip_unavailable is set is refused", async () => {
  await put({ persistent: { "cluster.remote.gone.seeds": peer.transportAddress, "cluster.remote.gone.skip_unavailable": true } });
  expect(Object.keys(await info())).toContain("gone");
  await expectIae(
    { persistent: { "cluster.remote.gone.seeds": null } },
    "Cannot configure setting [cluster.remote.gone.skip_unavailable] if remote cluster is not enabled.",
  );
  const r = await put({ persistent: { "cluster.remote.gone.seeds": null, "cluster.remote.gone.skip_unavailable": null } });
  expect(r.status).toBe(200);
  expect(Object.keys(await info())).not.toContain("gone");
  const f = await http(node.url, "PUT", "/x/_ccr/follow", { remote_cluster: "gone", leader_index: "y" });
  expect(f.status).toBe(404);
  expect(f.body.error.type).toBe("no_such_remote_cluster_exception");
  const settings = await ok(node.url, "GET", "/_cluster/settings?flat_settings=true");
  expect(Object.keys(settings.persistent).filter((k) => k.includes(".gone."))).toEqual([]);
});

test("a remote whose process dies is disconnected and reconnects by itself when it returns; remotes persist across restarts", async () => {
  const other = await fleet.spawn({ clusterName: "other" });
  await put({ persistent: { "cluster.remote.other.seeds": other.transportAddress } });
  await waitFor("connected", async () => (await info()).other?.connected === true);
  await other.kill("SIGKILL");
  await waitFor("disconnected", async () => (await info()).other?.connected === false);
  await other.restart();
  await waitFor("reconnected without any request", async () => (await info()).other?.connected === true);
  await node.restart();
  await waitFor("reconnected after our own restart", async () => (await info()).other?.connected === true);
  expect(Object.keys(await info())).toEqual(["other", "p1", "s1"]);
});

test("remotes given as node settings (-E cluster.remote.*)", async () => {
  const n = await fleet.spawn({ clusterName: "yml", settings: { "cluster.remote.from_yml.seeds": peer.transportAddress } });
  await waitFor("node-setting remote connected", async () => (await ok(n.url, "GET", "/_remote/info")).from_yml?.connected === true);
  const defaults = await ok(n.url, "GET", "/_cluster/settings?include_defaults=true&flat_settings=true");
  expect(defaults.defaults["cluster.remote.from_yml.seeds"]).toBe(peer.transportAddress);
});
