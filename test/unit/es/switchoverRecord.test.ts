/** es/records.ts: the switchover record round-trips, counts only on its own index, and is removed without touching other keys. */
import { decodePromotion, decodeSwitchover, metaWithPromotion, metaWithSwitchover, type SwitchoverRecord } from "../../../es/records";

const record: SwitchoverRecord = {
  version: 1,
  index: "orders",
  indexUuid: "u-1",
  from: "clusterA",
  to: "clusterB",
  startedAt: "2026-01-01T00:00:00.000Z",
  host: "ops-1",
  pid: 4242,
};

test("round trip, on the index whose UUID it names only", () => {
  const meta = metaWithSwitchover({ owner: "search-team" }, record);
  expect(meta["owner"]).toBe("search-team");
  expect(decodeSwitchover(meta, "u-1")).toEqual(record);
  // A follower receives the record with its leader's mapping: not about the follower.
  expect(decodeSwitchover(meta, "u-follower")).toBeUndefined();
  expect(decodeSwitchover(meta, "")).toBeUndefined();
  expect(decodeSwitchover(undefined, "u-1")).toBeUndefined();
});

test("removing it keeps the promotion record and foreign keys", () => {
  const promoted = metaWithPromotion(
    { owner: "x" },
    {
      version: 1,
      index: "orders",
      indexUuid: "u-1",
      cluster: "clusterA",
      promotedFrom: { remoteCluster: "clusterB", leaderIndex: "orders-b" },
      promotedAt: "2026-01-01T00:00:00Z",
      checkpointsKnown: false,
      shards: [],
      writeBlockAdded: false,
    },
  );
  const cleared = metaWithSwitchover(metaWithSwitchover(promoted, record), undefined);
  expect(decodeSwitchover(cleared, "u-1")).toBeUndefined();
  expect(decodePromotion(cleared, "u-1")?.promotedFrom.leaderIndex).toBe("orders-b");
  expect(cleared["owner"]).toBe("x");
});
