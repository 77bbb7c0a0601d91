/**
 * JSON Schemas (draft 2020-12 subset) of `ccr-dr <command> --json` output: the contract for
 * pipelines, documented in docs/cli.md and enforced by the CLI tests.
 */
const clusterName = { enum: ["clusterA", "clusterB"] };
const int = { type: "integer" };
const str = { type: "string" };

const operation = {
  type: "object",
  required: ["site", "op", "kind", "name", "words"],
  properties: { site: clusterName, op: str, kind: str, name: str, words: str },
  additionalProperties: false,
};

const siteRun = {
  type: "object",
  required: ["site", "operations", "preview", "durationMs"],
  properties: {
    site: clusterName,
    operations: { type: "array", items: operation },
    preview: { type: "array", items: str },
    durationMs: int,
  },
  additionalProperties: false,
};

const promotion = {
  type: "object",
  required: ["index", "indexUuid", "promotedFrom", "promotedAt", "checkpointsKnown", "shards"],
  properties: {
    index: str,
    indexUuid: str,
    promotedFrom: { type: "object", required: ["remoteCluster", "leaderIndex"] },
    promotedAt: str,
    checkpointsKnown: { type: "boolean" },
    shards: { type: "array", items: { type: "object", required: ["shard", "globalCheckpoint", "maxSeqNo"] } },
  },
};

const num = { type: "number" };
const healthState = { enum: ["healthy", "lagging", "broken", "unknown"] };

/** How far behind; a field is absent when it is not known (never 0 for unknown). */
const lag = {
  type: "object",
  additionalProperties: false,
  properties: { operations: int, operationsAtLeast: int, seconds: num, secondsAtLeast: num, unknownReason: str },
};

const followerHealth = {
  type: "object",
  required: ["state", "reasons", "lag", "failbackWindow"],
  additionalProperties: false,
  properties: {
    state: healthState,
    reasons: { type: "array", items: str },
    fix: str,
    lag,
    lastReadAgoMs: int,
    remote: {
      type: "object",
      required: ["alias", "connected"],
      additionalProperties: false,
      properties: { alias: str, connected: { type: "boolean" }, mode: str, connections: int, address: str },
    },
    failbackWindow: {
      type: "object",
      additionalProperties: false,
      properties: { leaseExpiresAt: str, leaseExpiresAtMs: int, leasePeriodMs: int, unknownReason: str },
    },
  },
};

/** A site stack that could not be opened (`status`'s `unreadableStacks`, `plan`'s `unplanned`). */
const unreadableStack = {
  type: "object",
  required: ["site", "stack", "error"],
  additionalProperties: false,
  properties: { site: clusterName, stack: str, error: str },
};

const fence = {
  type: "object",
  required: ["cluster", "index", "origin", "detail", "command"],
  additionalProperties: false,
  properties: {
    cluster: clusterName,
    index: str,
    origin: { enum: ["switchover", "promotion", "failback", "outside", "unknown"] },
    detail: str,
    command: str,
  },
};

/** A switchover record still on a fenced index (cli/status.ts `switchoverNotices`). */
const switchoverNotice = {
  type: "object",
  required: ["cluster", "index", "from", "to", "startedAt", "host", "pid", "command"],
  additionalProperties: false,
  properties: {
    cluster: clusterName,
    index: str,
    from: str,
    to: str,
    startedAt: str,
    host: str,
    pid: int,
    running: { type: "boolean" },
    command: str,
  },
};

/** Per index of a plan: what a failover loses or what a failback quarantines and copies. */
const rpoIndex = {
  type: "object",
  required: ["index", "cluster", "kind"],
  additionalProperties: false,
  properties: {
    index: str,
    cluster: clusterName,
    kind: { enum: ["failover", "failback", "none"] },
    leader: str,
    lagOperations: int,
    operationsAtLeast: int,
    quarantineDocuments: int,
    copyDocuments: int,
    thresholds: { type: "array", items: int },
    unknownReason: str,
  },
};

export const schemas = {
  status: {
    type: "object",
    required: ["primaryBySite", "clusters", "health", "exitCode", "budget", "fences", "switchovers", "readAt"],
    additionalProperties: false,
    properties: {
      primary: clusterName,
      health: healthState,
      exitCode: int,
      budget: {
        type: "object",
        required: ["maxLagOperations", "maxLagSeconds"],
        additionalProperties: false,
        properties: { maxLagOperations: num, maxLagSeconds: num },
      },
      fences: { type: "array", items: fence },
      switchovers: { type: "array", items: switchoverNotice },
      readAt: str,
      primaryBySite: {
        type: "object",
        additionalProperties: false,
        properties: { clusterA: clusterName, clusterB: clusterName },
      },
      unreadableStacks: {
        type: "array",
        items: unreadableStack,
      },
      clusters: {
        type: "array",
        items: {
          type: "object",
          required: ["cluster", "endpoint", "reachable", "configuredRole", "indices", "quarantine"],
          additionalProperties: false,
          properties: {
            cluster: clusterName,
            endpoint: str,
            reachable: { type: "boolean" },
            error: str,
            configuredRole: { enum: ["primary", "follower", "unknown"] },
            indices: {
              type: "array",
              items: {
                type: "object",
                required: ["index", "role"],
                additionalProperties: false,
                properties: {
                  index: str,
                  role: { enum: ["follower", "leader", "absent", "unknown"] },
                  followStatus: { enum: ["active", "paused"] },
                  leader: str,
                  lagOperations: int,
                  fatalError: str,
                  writeBlocked: { type: "boolean" },
                  documents: int,
                  promotion,
                  health: followerHealth,
                  fence,
                },
              },
            },
            quarantine: {
              type: "array",
              items: {
                type: "object",
                required: ["index"],
                properties: { index: str, documents: int, sourceIndex: str },
                additionalProperties: false,
              },
            },
          },
        },
      },
    },
  },
  plan: {
    type: "object",
    required: ["to", "sites", "rpo", "planFiles"],
    additionalProperties: false,
    properties: {
      to: clusterName,
      sites: { type: "array", items: siteRun },
      rpo: {
        type: "object",
        required: ["indices"],
        additionalProperties: false,
        properties: {
          operations: int,
          operationsAtLeast: int,
          unknownReason: str,
          quarantineDocuments: int,
          copyDocuments: int,
          indices: { type: "array", items: rpoIndex },
        },
      },
      planFiles: { type: "object", additionalProperties: str },
      unplanned: {
        type: "array",
        items: unreadableStack,
      },
    },
  },
  failover: {
    type: "object",
    required: ["to", "run", "rtoMs"],
    additionalProperties: false,
    properties: { to: clusterName, run: siteRun, rtoMs: int },
  },
  failback: {
    type: "object",
    required: ["primary", "run"],
    additionalProperties: false,
    properties: { primary: clusterName, run: siteRun },
  },
  switchover: {
    type: "object",
    required: ["from", "to", "runs", "writeUnavailableMs", "rpoOperations"],
    additionalProperties: false,
    properties: {
      from: clusterName,
      to: clusterName,
      runs: { type: "array", items: siteRun },
      writeUnavailableMs: int,
      rpoOperations: int,
    },
  },
  drill: {
    type: "object",
    required: ["scenario", "verdict", "phases", "documents"],
    additionalProperties: false,
    properties: {
      scenario: { enum: ["tutorial", "data-stream"] },
      verdict: { enum: ["pass", "fail"] },
      phases: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "durationMs", "ok", "detail"],
          properties: { name: str, durationMs: int, ok: { type: "boolean" }, detail: str },
          additionalProperties: false,
        },
      },
      rtoMs: int,
      rpoDocuments: int,
      quarantinedDocuments: int,
      lostDocuments: int,
      documents: int,
      documentsOnB: int,
      keptIn: str,
      error: str,
    },
  },
  /** Printed instead of the command's result when it fails (with the exit code). */
  error: {
    type: "object",
    required: ["error", "exitCode"],
    additionalProperties: false,
    properties: { error: str, exitCode: int, hint: str },
  },
} as const;
