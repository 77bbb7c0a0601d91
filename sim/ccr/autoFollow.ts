/**
 * Auto-follow patterns (`AutoFollowMetadata`, `AutoFollowCoordinator`): named patterns of leader
 * indices on a remote cluster that are followed automatically when they are created. Creating a
 * pattern records the matching leader indices that already exist as followed, so only later ones
 * are followed (as ES does). Patterns and the leader index uuids they have followed are durable
 * (cluster-level custom metadata); statistics are in memory, as in ES.
 *
 * The coordinator keeps one loop per remote cluster with active patterns: it long-polls the
 * remote's cluster state on its metadata version and follows every new match.
 */
import { EsError, errors } from "../engine/errors";
import { simpleMatch } from "../engine/names";
import type { Json } from "../engine/types";
import { ACTIONS, type ClusterStateResponse, type IndexView } from "./actions";
import { BodyReader } from "./bodyParser";
import type { CcrService } from "./ccrService";
import { ccrErrors } from "./errors";
import { FOLLOW_PARAMETER_NAMES, followParameterProblems, readFollowParameters, type FollowParametersWire } from "./followParameters";
import { followInternal } from "./putFollow";

/** Durable cluster-level metadata (ES's cluster-state customs). */
export interface ClusterCustomStore {
  get(key: string): Json | undefined;
  /** Stores (or with null removes) a value; resolves when durable. */
  put(key: string, value: Json | null): Promise<void>;
}

/** A store that forgets everything on restart (unit tests, embedding without storage). */
export class MemoryCustomStore implements ClusterCustomStore {
  private readonly values = new Map<string, Json>();
  get(key: string): Json | undefined {
    return this.values.get(key);
  }
  async put(key: string, value: Json | null): Promise<void> {
    if (value === null) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** Cluster custom-metadata key of the patterns (ES's `ccr_auto_follow`). */
export const AUTO_FOLLOW_CUSTOM_KEY = "ccr_auto_follow";
/** ObjectParser name of the put request. */
const PUT_PATTERN_PARSER = "put_auto_follow_pattern_request";
/** Longest pattern name in bytes (`PutAutoFollowPatternAction.MAX_NAME_BYTES`). */
const MAX_NAME_BYTES = 255;
/** Long-poll bound of one remote cluster-state request (`ccr.auto_follow.wait_for_metadata_timeout`). */
export const AUTO_FOLLOW_WAIT_MS = 60_000;
/** Pause after a failed cluster-state request before trying again. */
export const AUTO_FOLLOW_RETRY_MS = 1_000;
/** Recent errors kept in stats (ES keeps a bounded map). */
const MAX_RECENT_ERRORS = 256;

/** One stored pattern. */
interface StoredPattern {
  remote_cluster: string;
  leader_index_patterns: string[];
  leader_index_exclusion_patterns: string[];
  follow_index_pattern?: string;
  settings?: Json;
  active: boolean;
  /** Only the follow parameters given explicitly (GET shows only those). */
  parameters: FollowParametersWire;
  /** Leader index uuids this pattern has followed (or found existing at creation). */
  followed: string[];
}

type PatternMap = Record<string, StoredPattern>;

interface ClusterLoop {
  running: boolean;
  lastCheck: number;
  lastVersion: number;
  epoch: string | undefined;
}

/** The auto-follow service of a cluster. */
export class AutoFollowService {
  private readonly loops = new Map<string, ClusterLoop>();
  private started = false;
  private successful = 0;
  private failedFollows = 0;
  private failedStateRequests = 0;
  private readonly recentErrors = new Map<string, { timestamp: number; error: EsError }>();

  constructor(
    private readonly ccr: CcrService,
    private readonly store: ClusterCustomStore,
    private readonly log: (line: string) => void,
  ) {}

  private patterns(): PatternMap {
    return ((this.store.get(AUTO_FOLLOW_CUSTOM_KEY) as unknown as { patterns?: PatternMap } | undefined)?.patterns ?? {}) as PatternMap;
  }

  private async save(patterns: PatternMap): Promise<void> {
    await this.store.put(AUTO_FOLLOW_CUSTOM_KEY, Object.keys(patterns).length === 0 ? null : ({ patterns } as unknown as Json));
  }

  /** Starts the per-remote loops for the stored patterns. */
  start(): void {
    this.started = true;
    this.syncLoops();
  }

  /** Stops every loop. */
  stop(): void {
    this.started = false;
    for (const l of this.loops.values()) l.running = false;
    this.loops.clear();
  }

  // -------------------------------------------------------------------------------------------
  // API

  /** `ccr.put_auto_follow_pattern` */
  async put(name: string, body: Json, bodyText: string | undefined): Promise<Json> {
    const reader = new BodyReader(PUT_PATTERN_PARSER, body, bodyText);
    reader.rejectUnknown([
      "remote_cluster",
      "leader_index_patterns",
      "leader_index_exclusion_patterns",
      "follow_index_pattern",
      "settings",
      ...FOLLOW_PARAMETER_NAMES,
    ]);
    const remote = reader.string("remote_cluster");
    const leaderPatterns = reader.stringArray("leader_index_patterns");
    const exclusions = reader.stringArray("leader_index_exclusion_patterns") ?? [];
    const followPattern = reader.string("follow_index_pattern");
    const settings = reader.object("settings");
    const parameters = readFollowParameters(reader);
    const problems: string[] = [];
    if (name.includes(",")) problems.push("[name] name must not contain a ','");
    if (name.startsWith("_")) problems.push("[name] name must not start with '_'");
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes > MAX_NAME_BYTES) problems.push(`[name] name is too long (${bytes} > ${MAX_NAME_BYTES})`);
    if (remote === undefined) problems.push("[remote_cluster] is missing");
    if (leaderPatterns === undefined || leaderPatterns.length === 0) problems.push("[leader_index_patterns] is missing");
    problems.push(...followParameterProblems(parameters));
    if (problems.length > 0) throw errors.validation(problems);
    if (!this.ccr.remotes.has(remote!)) throw ccrErrors.noSuchRemoteCluster(remote!);
    let state: ClusterStateResponse;
    try {
      state = (await this.ccr.remotes.call(remote!, ACTIONS.clusterState, {}, AUTO_FOLLOW_WAIT_MS)) as unknown as ClusterStateResponse;
    } catch (e) {
      if (e instanceof EsError) {
        throw new EsError(
          "status_exception",
          400,
          `can not fetch remote cluster state as the license state of the remote cluster [${remote}] could not be determined`,
          {},
          e,
        );
      }
      throw e;
    }
    // PutAutoFollowPatternAction's cluster-state update: read the patterns, put this one, write them
    await this.ccr.cluster.updateMetadata(async () => {
      const patterns = { ...this.patterns() };
      const previous = patterns[name];
      const followed = new Set(previous?.followed ?? []);
      // existing leader indices are never auto-followed: only the ones created after the pattern
      const newPatterns = previous ? leaderPatterns!.filter((p) => !previous.leader_index_patterns.includes(p)) : leaderPatterns!;
      for (const index of state.indices) if (patternMatches(newPatterns, exclusions, index)) followed.add(index.uuid);
      const stored: StoredPattern = {
        remote_cluster: remote!,
        leader_index_patterns: leaderPatterns!,
        leader_index_exclusion_patterns: exclusions,
        active: previous?.active ?? true,
        parameters,
        followed: [...followed],
      };
      if (followPattern !== undefined) stored.follow_index_pattern = followPattern;
      if (settings !== undefined && Object.keys(settings).length > 0) stored.settings = settings;
      patterns[name] = stored;
      await this.save(patterns);
    });
    this.syncLoops();
    return { acknowledged: true };
  }

  /** `ccr.get_auto_follow_pattern` */
  get(name: string | undefined): Json {
    const patterns = this.patterns();
    if (name !== undefined && !patterns[name]) throw ccrErrors.autoFollowPatternMissing(name);
    const names = name !== undefined ? [name] : Object.keys(patterns).sort();
    return { patterns: names.map((n) => ({ name: n, pattern: render(patterns[n]!) })) };
  }

  /** `ccr.delete_auto_follow_pattern` */
  async delete(name: string): Promise<Json> {
    await this.ccr.cluster.updateMetadata(async () => {
      const patterns = { ...this.patterns() };
      if (!patterns[name]) throw ccrErrors.autoFollowPatternMissing(name);
      delete patterns[name];
      await this.save(patterns);
    });
    this.syncLoops();
    return { acknowledged: true };
  }

  /** `ccr.pause_auto_follow_pattern` / `ccr.resume_auto_follow_pattern` */
  async setActive(name: string, active: boolean): Promise<Json> {
    await this.ccr.cluster.updateMetadata(async () => {
      const patterns = { ...this.patterns() };
      const p = patterns[name];
      if (!p) throw ccrErrors.autoFollowPatternMissing(name);
      patterns[name] = { ...p, active };
      await this.save(patterns);
    });
    this.syncLoops();
    return { acknowledged: true };
  }

  /** `auto_follow_stats` of `GET /_ccr/stats`, with ES's field names. */
  stats(): Json {
    const now = this.ccr.cluster.now();
    return {
      number_of_failed_follow_indices: this.failedFollows,
      number_of_failed_remote_cluster_state_requests: this.failedStateRequests,
      number_of_successful_follow_indices: this.successful,
      recent_auto_follow_errors: [...this.recentErrors.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, e]) => ({ leader_index: key, timestamp: e.timestamp, auto_follow_exception: e.error.toJSON() })),
      auto_followed_clusters: [...this.loops.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([alias, l]) => ({
          cluster_name: alias,
          time_since_last_check_millis: l.lastCheck === 0 ? 0 : Math.max(0, now - l.lastCheck),
          last_seen_metadata_version: l.lastVersion,
        })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Coordinator

  /** Starts loops for remotes with active patterns and stops the others. */
  private syncLoops(): void {
    if (!this.started) return;
    const wanted = new Set(
      Object.values(this.patterns())
        .filter((p) => p.active)
        .map((p) => p.remote_cluster),
    );
    for (const [alias, loop] of this.loops) {
      if (!wanted.has(alias)) {
        loop.running = false;
        this.loops.delete(alias);
      }
    }
    for (const alias of wanted) {
      if (this.loops.has(alias)) continue;
      const loop: ClusterLoop = { running: true, lastCheck: 0, lastVersion: 0, epoch: undefined };
      this.loops.set(alias, loop);
      void this.run(alias, loop);
    }
  }

  private async run(alias: string, loop: ClusterLoop): Promise<void> {
    while (loop.running) {
      let state: ClusterStateResponse;
      try {
        state = (await this.ccr.remotes.call(
          alias,
          ACTIONS.clusterState,
          { wait_for_metadata_version: loop.lastVersion + 1, epoch: loop.epoch, timeout_ms: AUTO_FOLLOW_WAIT_MS },
          AUTO_FOLLOW_WAIT_MS + 30_000,
        )) as unknown as ClusterStateResponse;
      } catch (e) {
        if (!loop.running) return;
        this.failedStateRequests++;
        this.recordError(alias, e);
        await sleep(AUTO_FOLLOW_RETRY_MS);
        continue;
      }
      if (!loop.running) return;
      loop.lastCheck = this.ccr.cluster.now();
      loop.lastVersion = state.metadata_version;
      loop.epoch = state.epoch;
      await this.followNewIndices(alias, state);
    }
  }

  private async followNewIndices(alias: string, state: ClusterStateResponse): Promise<void> {
    const patterns = this.patterns();
    for (const [name, p] of Object.entries(patterns)) {
      if (!p.active || p.remote_cluster !== alias) continue;
      const followed = new Set(p.followed);
      const present = new Set(state.indices.map((i) => i.uuid));
      let dirty = false;
      for (const uuid of followed) {
        if (!present.has(uuid)) {
          followed.delete(uuid); // the leader index is gone: forget it
          dirty = true;
        }
      }
      for (const index of state.indices) {
        if (followed.has(index.uuid) || index.state !== "open") continue;
        if (!patternMatches(p.leader_index_patterns, p.leader_index_exclusion_patterns, index)) continue;
        const key = `${alias}:${index.name}`;
        let follower: string;
        try {
          follower = followerIndexName(p.follow_index_pattern, index.name);
        } catch (e) {
          this.failedFollows++;
          this.recordError(key, e);
          followed.add(index.uuid);
          dirty = true;
          continue;
        }
        if (this.ccr.cluster.shard(follower)) {
          followed.add(index.uuid); // already there (followed before, or a local index): ES skips it
          dirty = true;
          continue;
        }
        try {
          await followInternal(this.ccr, {
            follower,
            remote: alias,
            leaderIndex: index.name,
            settings: p.settings ?? {},
            parameters: p.parameters,
            wfas: 1,
            dataStreamName: followerDataStreamName(p.follow_index_pattern, index),
          });
          this.successful++;
          this.recentErrors.delete(key);
        } catch (e) {
          this.failedFollows++;
          this.recordError(key, e);
          this.log(`[es-sim] [ccr] auto-follow pattern [${name}] failed to follow [${key}]: ${String(e)}`);
        }
        followed.add(index.uuid);
        dirty = true;
      }
      if (dirty) {
        await this.ccr.cluster.updateMetadata(async () => {
          const current = { ...this.patterns() };
          if (current[name]) {
            current[name] = { ...current[name]!, followed: [...followed] };
            await this.save(current);
          }
        });
      }
    }
  }

  private recordError(key: string, e: unknown): void {
    const error = e instanceof EsError ? e : new EsError("exception", 500, String(e));
    this.recentErrors.delete(key);
    this.recentErrors.set(key, { timestamp: this.ccr.cluster.now(), error });
    while (this.recentErrors.size > MAX_RECENT_ERRORS) this.recentErrors.delete(this.recentErrors.keys().next().value as string);
  }
}

/**
 * `AutoFollowPattern.match(IndexAbstraction)`: the index name, or else the name of the data stream
 * it backs, matches a leader pattern and no exclusion pattern.
 */
export function patternMatches(patterns: string[], exclusions: string[], index: Pick<IndexView, "name" | "data_stream">): boolean {
  const matches = (name: string) => !exclusions.some((x) => simpleMatch(x, name)) && patterns.some((p) => simpleMatch(p, name));
  if (matches(index.name)) return true;
  return index.data_stream !== undefined && matches(index.data_stream.name);
}

/** `AutoFollowCoordinator.DS_BACKING_PATTERN`: prefix through `.ds-`, stream name, date, generation. */
const DS_BACKING_PATTERN = /^(.*?\.ds-)(.+)-(\d{4}.\d{2}.\d{2})(-[\d]+)?$/;

/**
 * `AutoFollowCoordinator.getFollowerIndexName`: `{{leader_index}}` of the follow pattern replaced
 * by the leader index name, or for a backing index by its data stream name inside the backing
 * index name (`.ds-logs_copy-2022.02.02-000001` for `{{leader_index}}_copy`).
 */
export function followerIndexName(followPattern: string | undefined, leaderIndex: string): string {
  if (followPattern === undefined) return leaderIndex;
  if (!leaderIndex.includes(".ds-")) return followPattern.split("{{leader_index}}").join(leaderIndex);
  const m = DS_BACKING_PATTERN.exec(leaderIndex);
  if (!m) {
    throw errors.illegalArgument(
      `unable to determine follower index name from leader index name [${leaderIndex}] and follow index pattern: [${followPattern}], ` +
        "index appears to follow a regular data stream backing pattern, but could not be parsed",
    );
  }
  return `${m[1]}${followPattern.split("{{leader_index}}").join(m[2]!)}-${m[3]}${m[4] ?? ""}`;
}

/** `AutoFollowCoordinator.generateRequest`: with a follow pattern, a backing index's stream is renamed the same way. */
export function followerDataStreamName(followPattern: string | undefined, index: Pick<IndexView, "data_stream">): string | undefined {
  if (followPattern === undefined || index.data_stream === undefined) return undefined;
  return followPattern.split("{{leader_index}}").join(index.data_stream.name);
}

/** A pattern as GET shows it (`AutoFollowPattern.toXContentFragment`). */
function render(p: StoredPattern): Json {
  const out: Json = {
    active: p.active,
    remote_cluster: p.remote_cluster,
    leader_index_patterns: [...p.leader_index_patterns],
    leader_index_exclusion_patterns: [...p.leader_index_exclusion_patterns],
  };
  if (p.follow_index_pattern !== undefined) out.follow_index_pattern = p.follow_index_pattern;
  if (p.settings !== undefined && Object.keys(p.settings).length > 0) out.settings = p.settings;
  for (const name of FOLLOW_PARAMETER_NAMES) if (p.parameters[name] !== undefined) out[name] = p.parameters[name];
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    t.unref();
  });
}
