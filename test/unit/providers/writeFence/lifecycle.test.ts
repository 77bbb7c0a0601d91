/** WriteFence: `onDelete: keep` (a forced failover's fence on the old primary) leaves the block; the default lifts it. */
import { checkWriteFence, deleteWriteFence, diffWriteFence } from "../../../../providers/writeFence/lifecycle";
import type { Connection, Es } from "../../../../es/connection";

const connection = { name: "clusterA", endpoints: ["http://127.0.0.1:9"] };

test("delete with onDelete keep calls no cluster (the block stays until the failback replaces the index)", async () => {
  const calls: Connection[] = [];
  const connect = (c: Connection): Es => {
    calls.push(c);
    throw new Error("no cluster call expected");
  };
  await deleteWriteFence({ connection, index: "orders", onDelete: "keep" }, { connect });
  expect(calls).toEqual([]);
  await expect(deleteWriteFence({ connection, index: "orders" }, { connect })).rejects.toThrow("no cluster call expected");
});

test("check accepts lift and keep only; a changed onDelete is an update, not a replacement", () => {
  expect(checkWriteFence({ connection, index: "orders", onDelete: "keep" }).failures).toEqual([]);
  expect(checkWriteFence({ connection, index: "orders", onDelete: "drop" }).failures.map((f) => f.property)).toEqual(["onDelete"]);
  expect(diffWriteFence({ connection, index: "orders" }, { connection, index: "orders", onDelete: "keep" })).toEqual({
    changes: true,
    replaces: [],
    deleteBeforeReplace: false,
  });
});
