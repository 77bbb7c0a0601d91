/**
 * The one error root of the Elasticsearch boundary (docs/providers.md, "Rules kept"): every failed call made
 * through `es/` becomes an {@link EsCallError} that names the cluster, the index, the
 * operation (rest-api-spec name) and the likely fix. Secrets never appear in its text.
 *
 * {@link toEsCallError} is the one place that reads the client's error objects and ES's error
 * envelope text; everything else branches on {@link EsCallError.kind} and
 * {@link EsCallError.condition}.
 */

/** What went wrong on the wire. */
export type EsErrorKind =
  /** ES answered with an error status. */
  | "response"
  /** No connection (refused, reset, DNS, TLS) to any endpoint. */
  | "connection"
  /** The request timed out. */
  | "timeout"
  /** The endpoint answered but is not Elasticsearch (missing `x-elastic-product`). */
  | "product"
  /** Anything else (serialization, configuration, a bug). */
  | "other";

/**
 * Known server states, classified once from ES's error type and reason text so that callers can
 * treat "already done" as done without matching strings themselves.
 */
export type EsCondition =
  /** 404 for the named index (`index_not_found_exception`). */
  | "index_not_found"
  /** 404 `no_such_remote_cluster_exception`: the alias is not registered. */
  | "no_such_remote_cluster"
  /** 404 `resource_not_found_exception` "No shard follow tasks …": no active follower tasks. */
  | "no_follow_tasks"
  /** Pause on a follower that has no tasks: "no shard follow tasks for [x]". */
  | "already_paused"
  /** Pause/unfollow on an index that is not a follower. */
  | "not_a_follower"
  /** Resume on an index without CCR metadata (never followed, or unfollowed). */
  | "no_ccr_metadata"
  /** Resume while tasks already run (`task with id … already exist`). */
  | "already_following"
  /** Unfollow on an open follower. */
  | "follower_not_closed"
  /** Unfollow on a closed follower that was not paused. */
  | "follower_not_paused"
  /** Create of something that exists (`resource_already_exists_exception`). */
  | "already_exists"
  /** Unfollow succeeded locally but the leader's retention leases could not be removed. */
  | "retention_lease_removal_failed"
  /** The index is closed (`index_closed_exception`). */
  | "index_closed"
  /** A cluster block refused the request (`cluster_block_exception`). */
  | "blocked"
  /** 404 `resource_not_found_exception` "auto-follow pattern [x] is missing". */
  | "auto_follow_pattern_missing"
  /** 404 for a composable index template: "index template matching [x] not found", `index_template_missing_exception`. */
  | "template_missing"
  /** 404 `resource_not_found_exception` "data stream [x] does not exist" (promote). */
  | "data_stream_missing"
  /** The remote cluster alias is registered but its peer cannot be reached (`no_seed_node_left_exception` …). */
  | "remote_unreachable";

/** Where a call was going and what it was for. */
export interface EsCallContext {
  /** Display name of the cluster. */
  cluster: string;
  /** rest-api-spec name, e.g. `ccr.pause_follow`. */
  operation: string;
  /** The index the call is about, when there is one. */
  index?: string;
  /** Secret strings to scrub from the message. */
  secrets?: string[];
}

/** What an {@link EsCallError} is made of. */
export interface EsCallErrorFields {
  cluster: string;
  operation: string;
  index?: string | undefined;
  kind: EsErrorKind;
  status?: number | undefined;
  esType?: string | undefined;
  reason?: string | undefined;
  condition?: EsCondition | undefined;
  hint: string;
  cause?: unknown;
}

/** A failed Elasticsearch call, with a message that says where, what and how to fix it. */
export class EsCallError extends Error {
  override readonly name = "EsCallError";
  /** Display name of the cluster that was called. */
  readonly cluster: string;
  /** rest-api-spec name of the API. */
  readonly operation: string;
  /** The index the call was about. */
  readonly index: string | undefined;
  /** Transport-level classification. */
  readonly kind: EsErrorKind;
  /** HTTP status (ES's `status` field when present) for `kind: "response"`. */
  readonly status: number | undefined;
  /** ES exception `type`, e.g. `illegal_argument_exception`. */
  readonly esType: string | undefined;
  /** ES `reason` (secrets redacted). */
  readonly reason: string | undefined;
  /** Known server state, when recognised. */
  readonly condition: EsCondition | undefined;
  /** The likely fix, in words. */
  readonly hint: string;

  constructor(fields: EsCallErrorFields) {
    super(formatMessage(fields));
    this.cluster = fields.cluster;
    this.operation = fields.operation;
    this.index = fields.index;
    this.kind = fields.kind;
    this.status = fields.status;
    this.esType = fields.esType;
    this.reason = fields.reason;
    this.condition = fields.condition;
    this.hint = fields.hint;
    // Keep the cause for debugging, but never the client's error object itself: its `meta`
    // holds request headers (Authorization) and connection details.
    if (fields.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: fields.cause, enumerable: false });
    }
  }

  override toString(): string {
    return `${this.name}: ${this.message}`;
  }
}

function formatMessage(f: EsCallErrorFields): string {
  const where = f.index === undefined ? `on cluster "${f.cluster}"` : `for index "${f.index}" on cluster "${f.cluster}"`;
  let what: string;
  switch (f.kind) {
    case "response":
      what = `${f.status ?? "?"} ${f.esType ?? "error"}${f.reason ? `: ${f.reason}` : ""}`;
      break;
    case "connection":
      what = `cannot connect${f.reason ? ` (${f.reason})` : ""}`;
      break;
    case "timeout":
      what = `request timed out${f.reason ? ` (${f.reason})` : ""}`;
      break;
    case "product":
      what = "the endpoint is not Elasticsearch (no `x-elastic-product: Elasticsearch` header)";
      break;
    case "other":
      what = f.reason ?? "unexpected error";
      break;
  }
  return `${f.operation} ${where} failed: ${what}. Likely fix: ${f.hint}`;
}

/** Replaces every secret in `text` by `[redacted]`. */
export function redact(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const s of secrets ?? []) {
    if (s.length === 0) continue;
    out = out.split(s).join("[redacted]");
  }
  // Credentials embedded in URLs (`scheme://user:pass@host`) never belong in a message either.
  return out.replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1[redacted]@");
}

interface EnvelopeError {
  type?: string;
  reason?: string;
  root_cause?: Array<{ type?: string; reason?: string }>;
  caused_by?: { type?: string; reason?: string };
  [key: string]: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Turns anything thrown by the client into an {@link EsCallError}. The only function that
 * reads error text.
 */
export function toEsCallError(err: unknown, ctx: EsCallContext): EsCallError {
  if (err instanceof EsCallError) return err;
  const e = err as { name?: string; message?: string; meta?: { statusCode?: number; body?: unknown } };
  const name = e?.name;
  const secrets = ctx.secrets ?? [];
  const base = { cluster: ctx.cluster, operation: ctx.operation, index: ctx.index, cause: err };

  if (name === "ResponseError") {
    const body = e.meta?.body;
    const envelope: EnvelopeError | undefined = isObject(body) && isObject(body["error"]) ? (body["error"] as EnvelopeError) : undefined;
    const status = isObject(body) && typeof body["status"] === "number" ? (body["status"] as number) : e.meta?.statusCode;
    const esType = envelope?.type ?? (isObject(body) && typeof body["error"] === "string" ? "error" : undefined);
    const rawReason =
      envelope?.reason ??
      (isObject(body) && typeof body["error"] === "string" ? (body["error"] as string) : typeof body === "string" ? body : undefined);
    const causedBy = envelope?.caused_by?.reason ? ` (caused by ${envelope.caused_by.type}: ${envelope.caused_by.reason})` : "";
    const reason = rawReason === undefined ? undefined : redact(rawReason + causedBy, secrets);
    const condition = classify(status, esType, rawReason ?? "", envelope, ctx.operation);
    return new EsCallError({
      ...base,
      kind: "response",
      status,
      esType,
      reason,
      condition,
      hint: hintFor({ status, esType, condition, operation: ctx.operation, index: ctx.index, cluster: ctx.cluster }),
    });
  }
  if (name === "ConnectionError" || name === "NoLivingConnectionsError") {
    return new EsCallError({
      ...base,
      kind: "connection",
      reason: redact(e.message ?? "", secrets) || undefined,
      hint:
        `check that cluster "${ctx.cluster}" is up and its endpoint URL is right. During a disaster, ` +
        "run only the surviving site's stack: it never needs the dead cluster.",
    });
  }
  if (name === "TimeoutError" || name === "RequestAbortedError") {
    return new EsCallError({
      ...base,
      kind: "timeout",
      reason: redact(e.message ?? "", secrets) || undefined,
      hint: `check the health of cluster "${ctx.cluster}", or raise connection.requestTimeoutMs.`,
    });
  }
  if (name === "ProductNotSupportedError") {
    return new EsCallError({
      ...base,
      kind: "product",
      hint: `point the connection of "${ctx.cluster}" at an Elasticsearch HTTP endpoint (or an es-sim).`,
    });
  }
  return new EsCallError({
    ...base,
    kind: "other",
    reason: redact(e?.message ?? String(err), secrets),
    hint: "this is unexpected; re-run with the same inputs, and report it if it persists.",
  });
}

function classify(
  status: number | undefined,
  esType: string | undefined,
  reason: string,
  envelope: EnvelopeError | undefined,
  operation: string,
): EsCondition | undefined {
  const rootTypes = (envelope?.root_cause ?? []).map((r) => r.type);
  const hasType = (t: string) => esType === t || rootTypes.includes(t);
  if (JSON.stringify(envelope ?? {}).includes("failed_to_remove_retention_leases")) return "retention_lease_removal_failed";
  if (hasType("no_such_remote_cluster_exception")) return "no_such_remote_cluster";
  // ES wraps it: status_exception "… license state of the remote cluster [x] could not be determined",
  // caused by no_seed_node_left_exception (found by test/integration/faults/config.test.ts).
  if (hasType("no_seed_node_left_exception") || envelope?.caused_by?.type === "no_seed_node_left_exception") return "remote_unreachable";
  if (hasType("index_not_found_exception")) return "index_not_found";
  if (hasType("index_closed_exception")) return "index_closed";
  if (hasType("cluster_block_exception")) return "blocked";
  if (/auto-follow pattern \[.*\] is missing/i.test(reason)) return "auto_follow_pattern_missing";
  if (hasType("index_template_missing_exception") || /^index template matching \[.*\] not found$/.test(reason)) return "template_missing";
  if (/^data stream \[.*\] does not exist$/.test(reason)) return "data_stream_missing";
  if (/no shard follow tasks for follower indices/i.test(reason) || (status === 404 && operation === "ccr.follow_stats"))
    return "no_follow_tasks";
  if (/no shard follow tasks/i.test(reason)) return "already_paused";
  if (/is not a follower index/i.test(reason)) return "not_a_follower";
  if (/does not have ccr metadata/i.test(reason)) return "no_ccr_metadata";
  if (/because it has not been closed/i.test(reason)) return "follower_not_closed";
  if (/because it has not been paused/i.test(reason)) return "follower_not_paused";
  if (hasType("resource_already_exists_exception")) {
    return operation === "ccr.resume_follow" || /task with id/i.test(reason) ? "already_following" : "already_exists";
  }
  return undefined;
}

/** The likely fix for a response error, in words that name what to change. */
export function hintFor(f: {
  status: number | undefined;
  esType: string | undefined;
  condition: EsCondition | undefined;
  operation: string;
  index: string | undefined;
  cluster?: string;
}): string {
  switch (f.condition) {
    case "no_such_remote_cluster":
      return "register the remote cluster alias first: declare a RemoteCluster with that alias on this cluster and make the FollowerIndex depend on it.";
    case "index_not_found":
      return f.operation === "ccr.follow"
        ? "check leaderIndex: the leader index must exist on the remote cluster."
        : `index "${f.index ?? "?"}" does not exist on this cluster; check the index name.`;
    case "index_closed":
      return "the index is closed; open it (POST /<index>/_open) or re-run, which opens it when that is safe.";
    case "blocked":
      return "a block refuses this request (read-only, or the cluster is out of disk); remove the block or free disk, then re-run.";
    case "already_exists":
      return "an index or follower with this name already exists; choose another name or remove it.";
    case "remote_unreachable":
      return "the remote cluster alias is registered, but this cluster cannot reach its peer: check the alias's proxy address (or seeds) in GET _remote/info, and that the peer is up and its transport port reachable from this cluster.";
    case "retention_lease_removal_failed":
      return "the follower was unfollowed, but the leader's retention leases remain; run POST /<leader>/_ccr/forget_follower on the old leader when it is back.";
    case "follower_not_closed":
    case "follower_not_paused":
      return "re-run: promotion pauses and closes the follower before unfollowing it.";
    default:
      break;
  }
  if (f.status === 401) {
    // Stack users never see `connection`: they set the cluster's credentials in the stack config.
    const c = f.cluster !== undefined && /^[A-Za-z0-9_-]+$/.test(f.cluster) ? f.cluster : "<cluster>";
    return (
      "authentication failed: check connection.basicAuth or connection.apiKey " +
      `(in the ccr-dr stacks: ccr-dr:clusters.${c}.username and the secret ccr-dr:clusters.${c}.password, or the secret ccr-dr:clusters.${c}.apiKey).`
    );
  }
  if (f.status === 403) {
    if (f.esType === "security_exception") {
      return "the user lacks privileges: CCR needs `manage_ccr` on the follower cluster and `read_ccr` on the leader, plus `manage` on the indices.";
    }
    return "the index refuses writes (it is a follower, or write-blocked); writes go to the leader.";
  }
  if (f.esType === "snapshot_restore_exception") {
    // During a failback this is an index a client auto-created between the stale index's delete
    // and the follow: it holds acknowledged writes, so the fix must not be "delete it".
    return (
      `an open index named "${f.index ?? "?"}" already exists on this cluster (during a failback: created by a client still writing here, ` +
      "after the stale index was deleted). It may hold acknowledged writes: copy its documents out (reindex or snapshot) before removing it, " +
      "or use another follower index name. To prevent it, exclude the replicated index names from action.auto_create_index on both clusters."
    );
  }
  if (
    f.esType === "illegal_argument_exception" ||
    f.esType === "action_request_validation_exception" ||
    f.esType === "settings_exception"
  ) {
    return "Elasticsearch rejected a value; correct the input named in the reason above.";
  }
  if (f.status !== undefined && f.status >= 500) return "the cluster failed internally; check its health and logs, then re-run.";
  return "see the Elasticsearch reason above.";
}
