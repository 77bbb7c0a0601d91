/**
 * A real S3-compatible object store for shared-state tests and benchmarks: SeaweedFS's `weed server`
 * (master, volume server, filer and S3 gateway in one process, built by `bootstrap.sh --with-s3`),
 * on ephemeral 127.0.0.1 ports with a temp data dir and one access key, plus a minimal signed
 * (AWS Signature V4) client to create the bucket and read what Pulumi wrote into it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { toolsBin } from "../../cli/toolchain";
import { until } from "../../cli/wait";

/** The region the store's clients sign for (SeaweedFS accepts any; the AWS SDK needs one). */
export const S3_REGION = "us-east-1";
const START_TIMEOUT_MS = 60_000;

export interface S3Object {
  key: string;
  size: number;
}

export interface S3Store {
  /** `http://127.0.0.1:<port>`: the S3 endpoint. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly pid: number;
  /** `PULUMI_BACKEND_URL` of `<bucket>/<prefix>` (docs/runbook.md's form: path-style, plain HTTP). */
  backendUrl(prefix: string): string;
  /** The credentials as the AWS SDK in `pulumi` reads them. */
  readonly env: Record<string, string>;
  /** Every object under `prefix`, through ListObjectsV2. */
  list(prefix?: string): Promise<S3Object[]>;
  /** An object's body, or undefined when there is none (404). */
  get(key: string): Promise<Buffer | undefined>;
  /** Writes an object (as another machine's client would). */
  put(key: string, body: Buffer | string): Promise<void>;
  /** What the server logged (for failure messages). */
  log(): string;
  /** Stops the server and deletes its data. */
  cleanup(): Promise<void>;
}

/** The `weed` bootstrap links; a clear error when `npm run bootstrap -- --with-s3` has not run. */
export function weedBinary(): string {
  const bin = path.join(toolsBin, "weed");
  if (!fs.existsSync(bin)) {
    throw new Error(`no S3 test server at ${bin}: run \`npm run bootstrap -- --with-s3\` (it builds SeaweedFS from the Go module proxy)`);
  }
  return bin;
}

/** `n` distinct free ports on 127.0.0.1 (held together while chosen, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => crypto.createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding, as Signature V4 canonicalizes. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A Signature V4-signed request to the store. */
async function s3Request(
  endpoint: string,
  creds: { accessKey: string; secretKey: string },
  method: string,
  objectPath: string,
  query: Record<string, string> = {},
  body: Buffer = Buffer.alloc(0),
): Promise<{ status: number; body: Buffer }> {
  const url = new URL(endpoint);
  const canonicalUri = objectPath.split("/").map(encode).join("/");
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k)}=${encode(query[k]!)}`)
    .join("&");
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const signedHeaders = "host;x-amz-content-sha256;x-amz-date";
  const canonicalRequest = [
    method,
    canonicalUri,
    canonicalQuery,
    `host:${url.host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${S3_REGION}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretKey}`, day), S3_REGION), "s3"), "aws4_request");
  const signature = crypto.createHmac("sha256", key).update(stringToSign).digest("hex");
  const r = await fetch(`${endpoint}${canonicalUri}${canonicalQuery ? `?${canonicalQuery}` : ""}`, {
    method,
    headers: {
      "x-amz-content-sha256": payloadHash,
      "x-amz-date": amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    ...(body.length > 0 ? { body } : {}),
  });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/**
 * Starts `weed server` with its S3 gateway, waits until an object can be written, and creates
 * `bucket`. Everything listens on 127.0.0.1 only; telemetry is off (no network here).
 */
export async function startS3Store(opts: { bucket?: string; dir?: string } = {}): Promise<S3Store> {
  const bin = weedBinary();
  const bucket = opts.bucket ?? "ccr-dr-state";
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-s3-"));
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { recursive: true });
  const creds = { accessKey: `ccrdr${crypto.randomBytes(6).toString("hex")}`, secretKey: crypto.randomBytes(24).toString("hex") };
  const config = path.join(dir, "s3.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      identities: [{ name: "ccr-dr", credentials: [creds], actions: ["Admin", "Read", "Write", "List", "Tagging"] }],
    }),
  );
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const args = [
    "server",
    `-dir=${data}`,
    "-ip=127.0.0.1",
    "-ip.bind=127.0.0.1",
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    "-master.telemetry=false",
    "-master.volumeSizeLimitMB=64",
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    "-volume.max=4",
    "-volume.preStopSeconds=0",
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    `-filer.localSocket=${path.join(dir, "filer.sock")}`,
    "-s3",
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    `-s3.localSocket=${path.join(dir, "s3.sock")}`,
    `-s3.config=${config}`,
  ];
  const logFile = path.join(dir, "weed.log");
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(bin, args, { cwd: dir, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const kill = () => child.kill("SIGKILL");
  process.on("exit", kill);
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = `weed exited (${signal ?? code})`));
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  const endpoint = `http://127.0.0.1:${s3}`;
  const request = (method: string, key: string, query?: Record<string, string>, body?: Buffer) =>
    s3Request(endpoint, creds, method, key, query, body);

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 3_000);
      await gone;
      clearTimeout(timer);
    }
    process.off("exit", kill);
    // gRPC's local sockets go to /tmp, named by port, whatever the flags say
    for (const [kind, port] of [
      ["master-grpc", masterGrpc],
      ["volume-grpc", volumeGrpc],
      ["filer-grpc", filerGrpc],
      ["s3-grpc", s3Grpc],
    ] as const)
      fs.rmSync(path.join("/tmp", `seaweedfs-${kind}-${port}.sock`), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const ready = await until(
      `the S3 gateway at ${endpoint} to accept a bucket and an object`,
      async () => {
        if (exited) return { failed: `${exited} before it served S3:\n${log().slice(-2000)}` };
        try {
          const b = await request("PUT", `/${bucket}`);
          if (b.status !== 200 && !/BucketAlreadyOwnedByYou/.test(b.body.toString())) return undefined;
          const probe = await request("PUT", `/${bucket}/.ccr-dr-probe`, {}, Buffer.from("probe"));
          if (probe.status !== 200) return undefined;
          return (await request("DELETE", `/${bucket}/.ccr-dr-probe`)).status === 204 ? { failed: undefined } : undefined;
        } catch {
          return undefined; // not listening yet
        }
      },
      START_TIMEOUT_MS,
    );
    if (ready.failed) throw new Error(ready.failed);
  } catch (e) {
    await cleanup();
    throw e;
  }

  return {
    endpoint,
    bucket,
    pid: child.pid!,
    backendUrl: (prefix) => `s3://${bucket}/${prefix}?endpoint=${endpoint}&use_path_style=true&region=${S3_REGION}`,
    env: { AWS_ACCESS_KEY_ID: creds.accessKey, AWS_SECRET_ACCESS_KEY: creds.secretKey, AWS_REGION: S3_REGION },
    async list(prefix = "") {
      const objects: S3Object[] = [];
      let token: string | undefined;
      do {
        const r = await request("GET", `/${bucket}`, {
          "list-type": "2",
          prefix,
          ...(token ? { "continuation-token": token } : {}),
        });
        if (r.status !== 200) throw new Error(`ListObjectsV2 ${bucket}/${prefix}: ${r.status} ${r.body.toString()}`);
        const xml = r.body.toString();
        for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1]!)?.[1];
          const size = /<Size>(\d+)<\/Size>/.exec(m[1]!)?.[1];
          if (key !== undefined) objects.push({ key: xmlText(key), size: Number(size ?? 0) });
        }
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
          ? xmlText(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? "")
          : undefined;
      } while (token);
      return objects;
    },
    async get(key) {
      const r = await request("GET", `/${bucket}/${key}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GetObject ${bucket}/${key}: ${r.status} ${r.body.toString()}`);
      return r.body;
    },
    async put(key, body) {
      const r = await request("PUT", `/${bucket}/${key}`, {}, Buffer.from(body));
      if (r.status !== 200) throw new Error(`PutObject ${bucket}/${key}: ${r.status} ${r.body.toString()}`);
    },
    log,
    cleanup,
  };
}
