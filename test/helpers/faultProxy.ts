/**
 * Fault injection between the providers and a cluster, with no change to es-sim:
 *
 * - {@link startFaultProxy}: an HTTP reverse proxy put in front of a cluster's HTTP endpoint (the
 *   stack's `ccr-dr:clusters.<name>.endpoint` points at it). It relays every request, and a rule
 *   armed on one request (e.g. `POST /<index>/_ccr/pause_follow`) fires once the cluster has
 *   answered it: kill the cluster with SIGKILL before relaying the answer (the client sees a
 *   broken connection although the step took effect — the worst case for a re-run), or hold the
 *   answer until the test releases it (to interrupt `pulumi up` at a known point).
 * - {@link startTcpFaultProxy}: a TCP relay put in front of a cluster's transport port (the peer's
 *   remote-cluster `proxyAddress` points at it) that can stall, like a network partition, so the
 *   follower lags behind its leader.
 *
 * Both bind 127.0.0.1 on port 0: an ephemeral port, so parallel runs never collide.
 */
import * as http from "node:http";
import * as net from "node:net";

/** One request the proxy relayed (or tried to), in arrival order. */
export interface SeenRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The cluster's status code; undefined when the cluster could not be reached. */
  status?: number;
}

/** Which request a rule waits for: the method and a pattern over the path (query excluded). */
export interface RequestMatch {
  method: string;
  path: RegExp;
}

/** Something that can be killed, e.g. a `SpawnedSim`. */
export interface Killable {
  kill(signal?: NodeJS.Signals): Promise<unknown>;
}

/** A rule that holds one answer back until released. */
export interface Hold {
  /** Resolves once the cluster has answered the matching request (the answer is held from then on). */
  reached: Promise<SeenRequest>;
  /** Relays the held answer (or, if the request has not come yet, lets it through unheld). */
  release(): void;
}

export interface FaultProxy {
  /** The URL to configure as the cluster's endpoint. */
  readonly url: string;
  /** Every request so far. */
  readonly seen: SeenRequest[];
  /**
   * Arms a one-shot rule: once the cluster has answered the next request matching `match`,
   * `victim` is killed with SIGKILL, then the client's connection is destroyed instead of relaying
   * the answer. Resolves with that request when the kill is done.
   */
  killAfter(match: RequestMatch, victim: Killable): Promise<SeenRequest>;
  /** Arms a one-shot rule that holds the cluster's answer to the next matching request. */
  holdAfter(match: RequestMatch): Hold;
  /** Drops every armed rule (held answers are released). */
  disarm(): void;
  close(): Promise<void>;
}

interface Rule {
  match: RequestMatch;
  /** Runs after the cluster answered; resolves to whether the answer may still be relayed. */
  fire: (req: SeenRequest) => Promise<boolean>;
  /** Called when the rule is dropped unfired. */
  drop: () => void;
}

function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** Sends one request to the cluster and reads the whole answer (es-sim answers are small). */
function forward(
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host };
    delete headers["connection"];
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false },
      (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

/**
 * Starts a reverse proxy in front of `upstream` (an HTTP base URL such as a `SpawnedSim`'s `url`,
 * which stays the same across `restart()`). When the cluster cannot be reached the client's
 * connection is destroyed, as a dead host's would be.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  let rules: Rule[] = [];
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const entry: SeenRequest = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]! };
      seen.push(entry);
      let answer: Awaited<ReturnType<typeof forward>>;
      try {
        answer = await forward(target, req, body);
      } catch {
        req.socket.destroy();
        return;
      }
      entry.status = answer.status;
      const rule = rules.find((r) => r.match.method === entry.method && r.match.path.test(entry.path));
      if (rule) {
        rules = rules.filter((r) => r !== rule);
        if (!(await rule.fire(entry))) {
          req.socket.destroy();
          return;
        }
      }
      const headers = { ...answer.headers };
      delete headers["transfer-encoding"];
      delete headers["connection"];
      headers["content-length"] = String(answer.body.length);
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    })().catch(() => req.socket.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    killAfter(match, victim) {
      const fired = new Promise<SeenRequest>((resolve, reject) => {
        rules.push({
          match,
          fire: async (req) => {
            await victim.kill("SIGKILL");
            resolve(req);
            return false;
          },
          drop: () => reject(new Error(`killAfter ${match.method} ${match.path} was disarmed before it fired`)),
        });
      });
      fired.catch(() => {}); // a rule dropped unawaited (a failing test's cleanup) is not an unhandled rejection
      return fired;
    },
    holdAfter(match) {
      let reachedResolve!: (r: SeenRequest) => void;
      let releaseHeld: (() => void) | undefined;
      let released = false;
      const reached = new Promise<SeenRequest>((r) => (reachedResolve = r));
      const rule: Rule = {
        match,
        fire: (req) =>
          new Promise<boolean>((resolve) => {
            reachedResolve(req);
            if (released) resolve(true);
            else releaseHeld = () => resolve(true);
          }),
        drop: () => {},
      };
      rules.push(rule);
      return {
        reached,
        release: () => {
          released = true;
          rules = rules.filter((r) => r !== rule);
          releaseHeld?.();
        },
      };
    },
    disarm() {
      for (const r of rules) r.drop();
      rules = [];
    },
    async close() {
      for (const r of rules) r.drop();
      rules = [];
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TcpFaultProxy {
  /** `host:port` to configure as the remote cluster's proxy address. */
  readonly address: string;
  /** Stops moving bytes in both directions on every connection, present and future (a partition). */
  stall(): void;
  /** Moves bytes again; what was sent during the stall is delivered. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a TCP relay to `upstream` (`host:port`, e.g. a `SpawnedSim`'s `transportAddress`). */
export async function startTcpFaultProxy(upstream: string): Promise<TcpFaultProxy> {
  const i = upstream.lastIndexOf(":");
  const host = upstream.slice(0, i);
  const port = Number(upstream.slice(i + 1));
  let stalled = false;
  /** Per direction of every connection: delivers what was held back during a stall. */
  const flushes = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    const held: Buffer[] = [];
    const flush = () => {
      for (const c of held.splice(0)) to.write(c);
    };
    flushes.add(flush);
    from.on("data", (c: Buffer) => (stalled ? held.push(c) : to.write(c)));
    from.on("close", () => flushes.delete(flush));
  };
  const server = net.createServer((client) => {
    const remote = net.connect(port, host);
    for (const s of [client, remote]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    relay(client, remote);
    relay(remote, client);
    const end = () => {
      client.destroy();
      remote.destroy();
    };
    client.on("error", end).on("close", end);
    remote.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const f of flushes) f();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
