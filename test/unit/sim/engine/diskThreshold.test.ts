/**
 * Disk watermarks as ES's DiskThresholdSettings parses and validates them, the monitor's decision
 * for the node (tables), and the cluster applying and releasing the flood-stage block from a
 * storage that reports its disk usage.
 */
import { indexDoc } from "../../../../sim/engine/actions/documents";
import { createIndex } from "../../../../sim/engine/actions/indexAdmin";
import { Cluster } from "../../../../sim/engine/cluster";
import { decideDisk, freeBytesThreshold, parseWatermark, validateWatermarks } from "../../../../sim/engine/diskThreshold";
import { MemoryStorage } from "../../../../sim/engine/storage";
import { stubSearchLibrary } from "../../../helpers/sim";

const GB = 1024 ** 3;
const WM = "cluster.routing.allocation.disk.watermark";

test.each([
  ["95%", { ratio: 0.95 }],
  ["0.9", { ratio: 0.9 }],
  ["500mb", { bytes: 500 * 1024 ** 2 }],
  ["0", { bytes: 0 }],
  ["1gb", { bytes: GB }],
])("parseWatermark(%s)", (text, expected) => {
  expect(parseWatermark("k", text)).toMatchObject(expected);
});

test("parseWatermark refuses what is neither a ratio nor a byte size", () => {
  expect(() => parseWatermark("k", "lots")).toThrow("unable to parse [k=lots] as either percentage or bytes");
  expect(() => parseWatermark("k", "150%")).toThrow(/as either percentage or bytes/);
});

test.each<[Record<string, string>, string | undefined]>([
  [{}, undefined],
  [{ [`${WM}.flood_stage`]: "97%" }, undefined],
  [{ [`${WM}.low`]: "95%" }, "low disk watermark [95%] more than high disk watermark [90%]"],
  [{ [`${WM}.flood_stage`]: "89%" }, "high disk watermark [90%] more than flood stage disk watermark [89%]"],
  [{ [`${WM}.low`]: "3gb", [`${WM}.high`]: "2gb", [`${WM}.flood_stage`]: "1gb" }, undefined],
  [
    { [`${WM}.low`]: "1gb", [`${WM}.high`]: "2gb", [`${WM}.flood_stage`]: "1gb" },
    "low disk watermark [1gb] less than high disk watermark [2gb]",
  ],
  [{ [`${WM}.flood_stage`]: "1gb" }, "unable to consistently parse"],
])("validateWatermarks(%j)", (values, error) => {
  if (error) expect(() => validateWatermarks(values)).toThrow(error);
  else expect(() => validateWatermarks(values)).not.toThrow();
});

test("free-space thresholds: ratios capped by the max headroom, bytes as given", () => {
  expect(freeBytesThreshold(100 * GB, { ratio: 0.95, text: "95%" }, -1)).toBe(5 * GB);
  expect(freeBytesThreshold(10_000 * GB, { ratio: 0.95, text: "95%" }, 100 * GB)).toBe(100 * GB);
  expect(freeBytesThreshold(100 * GB, { bytes: 7, text: "7b" }, 100 * GB)).toBe(7);
});

describe("decideDisk", () => {
  const settings =
    (s: Record<string, string>) =>
    (k: string): string | undefined =>
      s[k];
  test.each<[string, number, Record<string, string>, string]>([
    ["plenty free", 50, {}, "below-high"],
    ["between high and flood", 7, {}, "over-high"],
    ["over the flood stage", 4, {}, "flood-stage"],
    ["disabled", 1, { "cluster.routing.allocation.disk.threshold_enabled": "false" }, "disabled"],
    [
      "absolute flood stage above the free space",
      50,
      { [`${WM}.low`]: "90gb", [`${WM}.high`]: "80gb", [`${WM}.flood_stage`]: "60gb" },
      "flood-stage",
    ],
    ["absolute, between flood and high", 70, { [`${WM}.low`]: "90gb", [`${WM}.high`]: "80gb", [`${WM}.flood_stage`]: "60gb" }, "over-high"],
    ["absolute, below high", 85, { [`${WM}.low`]: "90gb", [`${WM}.high`]: "80gb", [`${WM}.flood_stage`]: "60gb" }, "below-high"],
  ])("%s", (_what, freeGb, s, expected) => {
    expect(decideDisk({ totalBytes: 100 * GB, freeBytes: freeGb * GB }, settings(s))).toBe(expected);
  });
});

test("the cluster blocks every index over the flood stage, keeps reads, and releases below the high watermark", async () => {
  const storage = new MemoryStorage();
  storage.usage = { totalBytes: 100 * GB, freeBytes: 50 * GB };
  const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, startTimers: false });
  await createIndex(cluster, "a", {});
  await indexDoc(cluster, "a", "1", { x: 1 }, {});
  storage.usage = { totalBytes: 100 * GB, freeBytes: 2 * GB };
  await cluster.checkDiskUsage();
  expect(cluster.requireShard("a").meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
  await expect(indexDoc(cluster, "a", "2", { x: 2 }, {})).rejects.toMatchObject({ status: 429, type: "cluster_block_exception" });
  // a new index over the flood stage is blocked too
  await createIndex(cluster, "b", {});
  expect(cluster.requireShard("b").meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
  storage.usage = { totalBytes: 100 * GB, freeBytes: 7 * GB }; // between flood and high: stays
  await cluster.checkDiskUsage();
  expect(cluster.requireShard("a").meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
  storage.usage = { totalBytes: 100 * GB, freeBytes: 30 * GB };
  await cluster.checkDiskUsage();
  expect(cluster.requireShard("a").meta.settings["index.blocks.read_only_allow_delete"]).toBeUndefined();
  expect(cluster.requireShard("b").meta.settings["index.blocks.read_only_allow_delete"]).toBeUndefined();
  await indexDoc(cluster, "a", "2", { x: 2 }, {});
  // the block survives a restart of the engine on the same storage
  storage.usage = { totalBytes: 100 * GB, freeBytes: 1 * GB };
  await cluster.checkDiskUsage();
  await cluster.close();
  storage.usage = undefined; // usage unknown after the restart: nothing is released
  const again = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, startTimers: false });
  expect(again.requireShard("a").meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
  await again.close();
});
