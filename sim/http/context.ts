/**
 * What a handler sees: the node's services (the cluster state and its CCR service), path and query
 * parameters (with ES's parameter parsers and their error texts), and the request body; and what
 * it returns (`Reply`).
 */
import type { CcrService } from "../ccr/ccrService";
import type { Subject } from "../security/authz";
import type { SecurityService } from "../security/service";
import type { RefreshPolicy } from "../engine/actions/documents";
import type { Cluster, ExpressionOptions } from "../engine/cluster";
import { EsError, errors } from "../engine/errors";
import { parseExpandWildcards } from "../engine/names";
import type { NodeInfo } from "../engine/node";
import { parseTimeValue } from "../engine/settings";
import type { Json } from "../engine/types";
import { parseJson, parseJsonObject, type JsonProblem } from "./json";

/** HTTP methods ES routes use. */
export type Method = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

/** A handler's answer. */
export interface Reply {
  status?: number;
  /** JSON body (rendered with pretty/filter_path). */
  body?: unknown;
  /** Plain-text body (cat APIs in text format). */
  text?: string;
  headers?: Record<string, string>;
}

/** A route handler: parse → one action call → reply. */
export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** A route, keyed by its rest-api-spec name. */
export interface RouteDef {
  /** rest-api-spec API name (`indices.create`). */
  api: string;
  methods: Method[];
  paths: string[];
  /** Query parameters this API accepts (global ones are always accepted). */
  params: string[];
  /** Whether a body is read: never, optional, required; `ndjson` for bulk. */
  body: "none" | "optional" | "required" | "ndjson";
  handler: Handler;
  /** Skip the unknown-parameter check (catch-all "not supported" routes). */
  anyParams?: boolean;
}

/** Query parameters every ES REST endpoint accepts. */
export const GLOBAL_PARAMS = ["pretty", "human", "error_trace", "filter_path", "source", "source_content_type"];

/** The services of a node that handlers call, handed to the HTTP server when it starts. */
export interface NodeServices {
  cluster: Cluster;
  ccr: CcrService;
  /** The node's own description (addresses, start-up settings, process facts), known once both listeners are bound. */
  node: () => NodeInfo;
  /** Users, roles, API keys; `enabled` is `xpack.security.enabled`. */
  security: SecurityService;
  /** Re-reads the keystore (`POST /_nodes/reload_secure_settings`). */
  reloadSecureSettings: () => void;
}

/** The request as handlers see it. */
export class RequestContext {
  readonly cluster: Cluster;
  readonly ccr: CcrService;
  readonly security: SecurityService;
  readonly reloadSecureSettings: () => void;
  /** Who made the request (set by the server when security is enabled). */
  subject: Subject | undefined;
  private readonly nodeInfo: () => NodeInfo;

  constructor(
    services: NodeServices,
    readonly method: Method,
    /** Decoded path without query string. */
    readonly path: string,
    readonly pathParams: Record<string, string>,
    readonly query: Record<string, string>,
    readonly bodyText: string | undefined,
    /** Set when the body's bytes are not valid UTF-8 (server.ts decodes strictly). */
    readonly bodyProblem?: JsonProblem,
  ) {
    this.cluster = services.cluster;
    this.ccr = services.ccr;
    this.security = services.security;
    this.reloadSecureSettings = services.reloadSecureSettings;
    this.nodeInfo = services.node;
  }

  /** The node's own description (`GET /_nodes`, `GET /_cluster/state`). */
  get node(): NodeInfo {
    return this.nodeInfo();
  }

  /** Whether the request carries a non-empty body (or `source` param). */
  get hasBody(): boolean {
    return this.bodyText !== undefined && this.bodyText.trim().length > 0;
  }

  /**
   * Throws the parse error of a body that is not valid UTF-8, as ES's JSON parser does when it
   * meets the bad byte (`x_content_parse_exception` "[l:c] Invalid UTF-8 start byte 0x…", or the
   * error built by `wrap`, e.g. a document's `document_parsing_exception`).
   */
  checkBodyEncoding(wrap?: (p: JsonProblem) => EsError): void {
    const p = this.bodyProblem;
    if (p) throw wrap ? wrap(p) : errors.xContentParse(`[${p.line}:${p.column}] ${p.message}`);
  }

  /** Required JSON-object body; missing → `parse_exception` "request body is required". */
  json(wrap?: (p: JsonProblem) => EsError): Json {
    if (!this.hasBody) throw errors.parse("request body is required");
    this.checkBodyEncoding(wrap);
    return parseJsonObject(this.bodyText!, wrap);
  }

  /** Optional JSON-object body (empty → `{}`). */
  optionalJson(): Json {
    if (!this.hasBody) return {};
    this.checkBodyEncoding();
    return parseJsonObject(this.bodyText!);
  }

  /** Any JSON value body. */
  anyJson(): unknown {
    if (!this.hasBody) throw errors.parse("request body is required");
    this.checkBodyEncoding();
    return parseJson(this.bodyText!);
  }

  param(name: string): string | undefined {
    return this.query[name];
  }

  /** ES's `paramAsBoolean`: absent → fallback, empty → true; anything else fails as `Booleans.parseBoolean`. */
  bool(name: string, fallback: boolean): boolean;
  bool(name: string, fallback?: undefined): boolean | undefined;
  bool(name: string, fallback?: boolean): boolean | undefined {
    const v = this.query[name];
    if (v === undefined) return fallback;
    if (v === "" || v === "true") return true;
    if (v === "false") return false;
    throw errors.illegalArgument(`Failed to parse value [${v}] as only [true] or [false] are allowed.`);
  }

  /** ES's `paramAsInt`/`paramAsLong`. */
  int(name: string): number | undefined {
    const v = this.query[name];
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw errors.illegalArgument(`Failed to parse int parameter [${name}] with value [${v}]`);
    return Number(v);
  }

  /** A time parameter in ms (`timeout=30s`). */
  time(name: string): number | undefined {
    const v = this.query[name];
    if (v === undefined) return undefined;
    return parseTimeValue(name, v);
  }

  /** `refresh` parameter (`WriteRequest.RefreshPolicy.parse`). */
  refresh(): RefreshPolicy | undefined {
    const v = this.query.refresh;
    if (v === undefined) return undefined;
    if (v === "" || v === "true") return "true";
    if (v === "false") return "false";
    if (v === "wait_for") return "wait_for";
    throw errors.illegalArgument(`Unknown value for refresh: [${v}].`);
  }

  /** `ignore_unavailable`, `allow_no_indices`, `expand_wildcards`. */
  expression(): ExpressionOptions {
    const out: ExpressionOptions = {};
    const ignore = this.bool("ignore_unavailable");
    if (ignore !== undefined) out.ignoreUnavailable = ignore;
    const allow = this.bool("allow_no_indices");
    if (allow !== undefined) out.allowNoIndices = allow;
    if (this.query.expand_wildcards !== undefined) out.expandWildcards = parseExpandWildcards(this.query.expand_wildcards);
    return out;
  }
}

/** Query parameters of APIs taking an index expression. */
export const EXPRESSION_PARAMS = ["ignore_unavailable", "allow_no_indices", "expand_wildcards"];
/** Parameters of APIs that wait on the master / acks; accepted and ignored on a single node. */
export const MASTER_PARAMS = ["master_timeout", "timeout"];

/** Lucene's Levenshtein similarity as ES uses it for "did you mean". */
function similarity(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return 1 - d[a.length]![b.length]! / Math.max(a.length, b.length);
}

/** ES's `BaseRestHandler.unrecognized` message (`detail`: "parameter", "metric", "index metric"). */
export function unrecognized(path: string, invalid: string[], candidates: string[], detail = "parameter"): EsError {
  let msg = `request [${path}] contains unrecognized ${detail}${invalid.length > 1 ? "s" : ""}: `;
  msg += invalid
    .map((p) => {
      const scored = candidates
        .map((c) => ({ c, s: similarity(p, c) }))
        .filter((x) => x.s > 0.5)
        .sort((x, y) => y.s - x.s || (x.c < y.c ? -1 : 1))
        .map((x) => x.c);
      let part = `[${p}]`;
      if (scored.length === 1) part += ` -> did you mean [${scored[0]}]?`;
      else if (scored.length > 1) part += ` -> did you mean any of [${scored.join(", ")}]?`;
      return part;
    })
    .join(", ");
  return errors.illegalArgument(msg);
}
