/**
 * The shard-follow task against an in-memory leader and follower: batch parameters honoured
 * (operations per read and write, outstanding reads and writes, buffer bounds), every operation
 * written exactly once, retryable failures retried with capped back-off and listed in
 * `read_exceptions` until they clear, fatal failures stopping the task.
 */
import { EsError } from "../../../../sim/engine/errors";
import type { Operation } from "../../../../sim/engine/types";
import type { IndexView, ShardChangesResponse } from "../../../../sim/ccr/actions";
import { resolveFollowParameters, type FollowParametersWire } from "../../../../sim/ccr/followParameters";
import { ShardFollowTask } from "../../../../sim/ccr/shardFollowTask";

function op(seqNo: number): Operation {
  return {
    op: seqNo % 7 === 6 ? "delete" : "index",
    id: `id-${seqNo % 13}`,
    seqNo,
    primaryTerm: 1,
    version: 1 + Math.floor(seqNo / 13),
    source: seqNo % 7 === 6 ? null : { n: seqNo },
  };
}

const view = { mapping_version: 3, settings_version: 2, aliases_version: 1 } as IndexView;

class Fixture {
  leaderOps: Operation[] = [];
  written: Operation[] = [];
  readSizes: number[] = [];
  writeSizes: number[] = [];
  outstandingReads = 0;
  maxOutstandingReads = 0;
  outstandingWrites = 0;
  maxOutstandingWrites = 0;
  delays: number[] = [];
  metadataApplied = 0;
  failReads: EsError[] = [];
  private wakers: Array<() => void> = [];
  task: ShardFollowTask;

  constructor(params: FollowParametersWire) {
    this.task = new ShardFollowTask(
      {
        remoteCluster: "r",
        leaderIndex: "l",
        followerIndex: "f",
        shardId: 0,
        parameters: resolveFollowParameters({ read_poll_timeout: "200ms", ...params }),
      },
      {
        now: () => Date.now(),
        random: () => 0.999,
        schedule: (ms, fn) => {
          this.delays.push(ms);
          const t = setTimeout(fn, ms);
          return () => clearTimeout(t);
        },
        readChanges: (r) => this.read(r),
        write: (ops) => this.write(ops),
        applyMetadata: async () => {
          this.metadataApplied++;
        },
        renewLease: async () => undefined,
      },
    );
  }

  get gcp(): number {
    return this.leaderOps.length - 1;
  }

  append(n: number): void {
    for (let i = 0; i < n; i++) this.leaderOps.push(op(this.leaderOps.length));
    for (const w of this.wakers.splice(0)) w();
  }

  private async read(r: {
    fromSeqNo: number;
    maxOperationCount: number;
    pollTimeoutMs: number;
    mappingVersion: number;
  }): Promise<ShardChangesResponse> {
    this.outstandingReads++;
    this.maxOutstandingReads = Math.max(this.maxOutstandingReads, this.outstandingReads);
    try {
      await new Promise((res) => setTimeout(res, 1));
      const failure = this.failReads.shift();
      if (failure) throw failure;
      if (r.fromSeqNo > this.gcp && r.pollTimeoutMs > 0) {
        await new Promise<void>((res) => {
          this.wakers.push(res);
          setTimeout(res, r.pollTimeoutMs);
        });
      }
      const ops = this.leaderOps.slice(r.fromSeqNo, Math.min(this.gcp, r.fromSeqNo + r.maxOperationCount - 1) + 1);
      this.readSizes.push(ops.length);
      const out: ShardChangesResponse = {
        global_checkpoint: this.gcp,
        max_seq_no: this.gcp,
        max_seq_no_of_updates_or_deletes: this.gcp,
        mapping_version: 3,
        settings_version: 2,
        aliases_version: 1,
        took_in_millis: 0,
        operations: ops,
        operations_bytes: ops.length * 100,
        retention_lease_period_ms: 43_200_000,
      };
      if (r.mappingVersion < 3) out.index_metadata = view;
      return out;
    } finally {
      this.outstandingReads--;
    }
  }

  private async write(ops: Operation[]): Promise<{ globalCheckpoint: number; maxSeqNo: number }> {
    expect(this.metadataApplied).toBeGreaterThan(0); // leader metadata comes before operations
    this.outstandingWrites++;
    this.maxOutstandingWrites = Math.max(this.maxOutstandingWrites, this.outstandingWrites);
    this.writeSizes.push(ops.length);
    await new Promise((res) => setTimeout(res, 1));
    this.written.push(...ops);
    this.outstandingWrites--;
    const seen = new Set(this.written.map((o) => o.seqNo));
    let gcp = -1;
    while (seen.has(gcp + 1)) gcp++;
    return { globalCheckpoint: gcp, maxSeqNo: Math.max(...seen) };
  }

  async until(cond: () => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error("condition not reached");
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

test("batch parameters are honoured and every operation is written exactly once", async () => {
  const f = new Fixture({
    max_read_request_operation_count: 7,
    max_outstanding_read_requests: 3,
    max_write_request_operation_count: 5,
    max_outstanding_write_requests: 2,
  });
  f.append(200);
  f.task.start(-1, -1);
  await f.until(() => f.task.status().follower_global_checkpoint === 199);
  f.append(57);
  await f.until(() => f.task.status().follower_global_checkpoint === 256);
  f.task.stop();
  expect(Math.max(...f.readSizes)).toBeLessThanOrEqual(7);
  expect(f.maxOutstandingReads).toBeLessThanOrEqual(3);
  expect(f.maxOutstandingReads).toBeGreaterThan(1);
  expect(Math.max(...f.writeSizes)).toBeLessThanOrEqual(5);
  expect(f.maxOutstandingWrites).toBeLessThanOrEqual(2);
  expect(f.written.map((o) => o.seqNo).sort((a, b) => a - b)).toEqual([...Array(257).keys()]);
  const s = f.task.status();
  expect(s).toMatchObject({
    operations_written: 257,
    operations_read: 257,
    leader_global_checkpoint: 256,
    follower_mapping_version: 3,
    follower_settings_version: 2,
    read_exceptions: [],
  });
});

test("retryable read failures back off up to max_retry_delay, show in read_exceptions, and clear on success", async () => {
  const f = new Fixture({ max_retry_delay: "120ms" });
  f.append(10);
  for (let i = 0; i < 6; i++)
    f.failReads.push(
      new EsError("no_seed_node_left_exception", 500, "Unable to open any proxy connections to cluster [r] at address [h:1]"),
    );
  f.task.start(-1, -1);
  await f.until(() => (f.task.status().read_exceptions as unknown[]).length === 1 && f.failReads.length <= 2);
  const during = f.task.status();
  expect((during.read_exceptions as any[])[0]).toMatchObject({ from_seq_no: 0, exception: { type: "no_seed_node_left_exception" } });
  expect((during.read_exceptions as any[])[0].retries).toBeGreaterThanOrEqual(3);
  await f.until(() => f.task.status().follower_global_checkpoint === 9);
  f.task.stop();
  const retryDelays = f.delays.filter((d) => d < 10_000); // the rest are lease renewals
  expect(retryDelays.every((d) => (d <= 120 && d % 50 === 0) || d === 120)).toBe(true);
  expect(retryDelays).toContain(120);
  expect(f.task.status()).toMatchObject({ failed_read_requests: 6, read_exceptions: [] });
  expect(f.task.status().fatal_exception).toBeUndefined();
});

test("a non-retryable failure is fatal: recorded once with retries 0, the task stops reading", async () => {
  const f = new Fixture({});
  f.append(5);
  f.failReads.push(new EsError("index_not_found_exception", 404, "no such index [l]"));
  f.task.start(-1, -1);
  await f.until(() => f.task.isFatal);
  const reads = f.readSizes.length;
  await new Promise((r) => setTimeout(r, 50));
  expect(f.readSizes.length).toBe(reads);
  const s = f.task.status();
  expect(s.fatal_exception).toEqual({ type: "index_not_found_exception", reason: "no such index [l]" });
  expect(s.read_exceptions).toEqual([
    { from_seq_no: 0, retries: 0, exception: { type: "index_not_found_exception", reason: "no such index [l]" } },
  ]);
  expect(s.failed_read_requests).toBe(1);
  f.task.stop();
});

test("a full write buffer stops reads until writes drain it", async () => {
  const f = new Fixture({
    max_write_buffer_count: 4,
    max_read_request_operation_count: 10,
    max_outstanding_read_requests: 1,
    max_write_request_operation_count: 2,
    max_outstanding_write_requests: 1,
  });
  f.append(60);
  f.task.start(-1, -1);
  let maxBuffered = 0;
  while (f.task.status().follower_global_checkpoint !== 59) {
    maxBuffered = Math.max(maxBuffered, f.task.status().write_buffer_operation_count as number);
    await new Promise((r) => setTimeout(r, 1));
  }
  f.task.stop();
  // reads are issued only while the buffer is within its bound; one read may land on top of it
  expect(maxBuffered).toBeLessThanOrEqual(4 + 10);
});
