/**
 * Property-style run: a seeded random mix of index, update, delete and bulk operations on a leader
 * while the follower is paused, resumed (with random batch parameters) and killed -9 / restarted at
 * random moments. Whatever the interleaving, both sides must end with identical documents and
 * identical histories (`_seq_no`, `_primary_term`, `_version`, op type, id).
 * Set CCR_PROPERTY_SEED to replay a run; the seed is printed on failure.
 */
import { http, ndjson } from "../../../helpers/sim";
import { addRemote, documents, ok, operations, SimFleet, waitCaughtUp } from "../../../helpers/ccr";
import { seededRandom } from "../../../../cli/drill/seeded";

const fleet = new SimFleet();
afterAll(() => fleet.cleanup());

const STEPS = 350;
const IDS = 40;
const MAX_RESTARTS = 3;

test("random operations with pauses, resumes and follower restarts end in identical documents and histories", async () => {
  const seed = Number(process.env.CCR_PROPERTY_SEED ?? 20_251_125);
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const log: string[] = [`seed ${seed}`];
  const [leader, follower] = await Promise.all([
    fleet.spawn({ clusterName: "prop-leader" }),
    fleet.spawn({ clusterName: "prop-follower" }),
  ]);
  await addRemote(follower.url, "leader", leader.transportAddress);
  await ok(leader.url, "PUT", "/prop", { settings: { number_of_replicas: 0 } });
  const randomParameters = () => ({
    max_read_request_operation_count: int(1, 40),
    max_outstanding_read_requests: int(1, 4),
    max_write_request_operation_count: int(1, 40),
    max_outstanding_write_requests: int(1, 3),
    max_write_buffer_count: int(5, 100),
    max_retry_delay: "100ms",
  });
  await ok(follower.url, "PUT", "/prop-f/_ccr/follow?wait_for_active_shards=1", {
    remote_cluster: "leader",
    leader_index: "prop",
    ...randomParameters(),
  });

  let paused = false;
  let restarts = 0;
  try {
    for (let step = 0; step < STEPS; step++) {
      const id = `doc-${int(0, IDS - 1)}`;
      const roll = rnd();
      if (roll < 0.35) {
        log.push(`${step} index ${id}`);
        await http(leader.url, "PUT", `/prop/_doc/${id}`, {
          step,
          value: rnd(),
          words: pick(["alpha beta", "gamma", "delta epsilon zeta"]),
        });
      } else if (roll < 0.55) {
        log.push(`${step} update ${id}`);
        await http(leader.url, "POST", `/prop/_update/${id}`, { doc: { touched: step }, doc_as_upsert: true });
      } else if (roll < 0.72) {
        log.push(`${step} delete ${id}`);
        await http(leader.url, "DELETE", `/prop/_doc/${id}`);
      } else if (roll < 0.9) {
        const lines: unknown[] = [];
        for (let k = int(1, 12); k > 0; k--) {
          const bid = `doc-${int(0, IDS - 1)}`;
          if (rnd() < 0.7) lines.push({ index: { _index: "prop", _id: bid } }, { step, bulk: true, k });
          else lines.push({ delete: { _index: "prop", _id: bid } });
        }
        log.push(`${step} bulk ${lines.length}`);
        await http(leader.url, "POST", "/_bulk", ndjson(lines), { "content-type": "application/x-ndjson" });
      } else if (roll < 0.95) {
        if (paused) {
          log.push(`${step} resume`);
          await ok(follower.url, "POST", "/prop-f/_ccr/resume_follow", randomParameters());
        } else {
          log.push(`${step} pause`);
          await ok(follower.url, "POST", "/prop-f/_ccr/pause_follow");
        }
        paused = !paused;
      } else if (restarts < MAX_RESTARTS) {
        restarts++;
        log.push(`${step} kill -9 follower`);
        await follower.kill("SIGKILL");
        // the leader keeps taking writes while the follower is down
        for (let k = int(1, 10); k > 0; k--) await http(leader.url, "PUT", `/prop/_doc/doc-${int(0, IDS - 1)}`, { step, down: k });
        await follower.restart();
      }
    }
    if (paused) await ok(follower.url, "POST", "/prop-f/_ccr/resume_follow");
    await waitCaughtUp(leader.url, "prop", follower.url, "prop-f");
    const leaderOps = await operations(leader.url, "prop");
    expect(leaderOps.length).toBeGreaterThan(STEPS / 2);
    expect(await operations(follower.url, "prop-f")).toEqual(leaderOps);
    expect(await documents(follower.url, "prop-f")).toEqual(await documents(leader.url, "prop"));
    const stats = (await ok(follower.url, "GET", "/prop-f/_ccr/stats")).indices[0];
    expect(stats.total_global_checkpoint_lag).toBe(0);
    expect(stats.shards[0].fatal_exception).toBeUndefined();
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(replay with CCR_PROPERTY_SEED=${seed}; last steps: ${log.slice(-15).join(", ")})`);
  }
});
