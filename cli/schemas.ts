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
  required: ["site", "operations", "durationMs"],
  properties: { site: clusterName, operations: { type: "array", items: operation }, durationMs: int },
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

export const schemas = {
  status: {
    type: "object",
    required: ["primaryBySite", "clusters"],
    additionalProperties: false,
    properties: {
      primary: clusterName,
      switchovers: { type: "array", items: switchoverNotice },
      primaryBySite: {
        type: "object",
        required: ["clusterA", "clusterB"],
        additionalProperties: false,
        properties: { clusterA: clusterName, clusterB: clusterName },
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
            configuredRole: { enum: ["primary", "follower"] },
            indices: {
              type: "array",
              items: {
                type: "object",
                required: ["index", "role"],
                additionalProperties: false,
                properties: {
                  index: str,
                  role: { enum: ["follower", "leader", "absent"] },
                  followStatus: { enum: ["active", "paused"] },
                  leader: str,
                  lagOperations: int,
                  lagMillis: int,
                  fatalError: str,
                  writeBlocked: { type: "boolean" },
                  documents: int,
                  promotion,
                },
              },
            },
            quarantine: {
              type: "array",
              items: {
                type: "object",
                required: ["index", "documents"],
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
          unknownReason: str,
          indices: {
            type: "array",
            items: { type: "object", required: ["index"], properties: { index: str, lagOperations: int }, additionalProperties: false },
          },
        },
      },
      planFiles: { type: "object", additionalProperties: str },
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
    required: ["verdict", "phases", "quarantinedDocuments", "documents"],
    additionalProperties: false,
    properties: {
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
      documents: int,
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
