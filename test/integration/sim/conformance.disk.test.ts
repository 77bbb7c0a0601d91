/**
 * Conformance of the disk flood stage, without filling a disk: an absolute flood-stage watermark
 * larger than the free space means the node is over it (ES's semantics for a byte value: the free
 * space that must remain). Every index then gets `index.blocks.read_only_allow_delete`, writes
 * answer 429 `cluster_block_exception`, reads and deletes still work; lowering the watermarks again
 * releases the block (ES 8 auto-release below the high watermark). Holds against es-sim and, with
 * `ES_URL`, a real ES 8.x — which reads disk usage every `cluster.info.update.interval` (30s), hence
 * the generous polling.
 */
import { conformanceTarget, ES_URL, expectError } from "../../helpers/conformance";

const { name, req } = conformanceTarget("conformance-disk");
const POLL_MS = ES_URL ? 90_000 : 10_000;
const HUGE = { low: "1000pb", high: "999pb", flood: "998pb" };
const WM = "cluster.routing.allocation.disk.watermark";
const BLOCKED = (index: string) =>
  `index [${index}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];`;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + POLL_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setWatermarks(v: { low: string | null; high: string | null; flood: string | null }) {
  return req("PUT", "/_cluster/settings", {
    transient: { [`${WM}.low`]: v.low, [`${WM}.high`]: v.high, [`${WM}.flood_stage`]: v.flood },
  });
}

// the watermarks are reset by each case itself: the target's own afterAll stops es-sim first
afterEach(async () => {
  await setWatermarks({ low: null, high: null, flood: null });
});

test("over the flood stage: block set, writes 429 with ES's reason, reads and deletes served; below high: released", async () => {
  const i = name("flood");
  expect((await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 })).status).toBe(201);
  expect((await req("PUT", `/${i}/_doc/2?refresh=true`, { a: 2 })).status).toBe(201);

  const set = await setWatermarks({ low: HUGE.low, high: HUGE.high, flood: HUGE.flood });
  expect(set.status).toBe(200);
  expect(set.body.transient.cluster.routing.allocation.disk.watermark.flood_stage).toBe(HUGE.flood);

  await until("the flood-stage block", async () => {
    const s = await req("GET", `/${i}/_settings?flat_settings=true`);
    return s.body[i]?.settings["index.blocks.read_only_allow_delete"] === "true";
  });
  const write = await req("PUT", `/${i}/_doc/3`, { a: 3 });
  expectError(write, 429, "cluster_block_exception", BLOCKED(i));
  const get = await req("GET", `/${i}/_doc/1`);
  expect(get.status).toBe(200);
  expect((await req("GET", `/${i}/_count`)).body.count).toBe(2);
  expect((await req("DELETE", `/${i}/_doc/2`)).status).toBe(200);
  const blocks = await req("GET", `/_cluster/state/blocks/${i}`);
  expect(blocks.body.blocks.indices[i]["12"]).toEqual({
    description: "disk usage exceeded flood-stage watermark, index has read-only-allow-delete block",
    retryable: true,
    levels: ["write", "metadata_write"],
  });

  expect((await setWatermarks({ low: null, high: null, flood: null })).status).toBe(200);
  await until("the block to be released", async () => {
    const s = await req("GET", `/${i}/_settings?flat_settings=true`);
    return s.body[i]?.settings["index.blocks.read_only_allow_delete"] === undefined;
  });
  expect((await req("PUT", `/${i}/_doc/3`, { a: 3 })).status).toBe(201);
});

test("watermarks must be all ratios or all byte sizes, in order", async () => {
  const mixed = await setWatermarks({ low: "85%", high: "90%", flood: "1gb" });
  expect(mixed.status).toBe(400);
  expect(JSON.stringify(mixed.body)).toContain(
    `unable to consistently parse [${WM}.low=85%], [${WM}.high=90%], and [${WM}.flood_stage=1gb] as percentage or bytes`,
  );
  const order = await setWatermarks({ low: "95%", high: "90%", flood: "97%" });
  expect(order.status).toBe(400);
  expect(JSON.stringify(order.body)).toContain("low disk watermark [95%] more than high disk watermark [90%]");
  const bytes = await setWatermarks({ low: "1gb", high: "2gb", flood: "500mb" });
  expect(bytes.status).toBe(400);
  expect(JSON.stringify(bytes.body)).toContain("low disk watermark [1gb] less than high disk watermark [2gb]");
});
