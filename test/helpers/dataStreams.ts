/** Data-stream fixtures shared by the tests of pattern-driven failover and its crash matrix. */
import { http, ndjson } from "./sim";

/** The drill's data-stream template for `logs-*-*` (cli/drill/dataStream.ts). */
export { LOGS_TEMPLATE } from "../../cli/drill/dataStream";

/** Appends `n` documents with ids `<prefix>-<i>` into `stream` (op_type create, as streams require); their ids. */
export async function appendToStream(base: string, stream: string, prefix: string, n: number): Promise<string[]> {
  const docIds = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const lines = docIds.flatMap((id, i) => [
    { create: { _index: stream, _id: id } },
    { "@timestamp": `2026-12-02T00:00:${String(i % 60).padStart(2, "0")}Z`, n: i },
  ]);
  const r = await http(base, "POST", "/_bulk?refresh=true", ndjson(lines), { "content-type": "application/x-ndjson" });
  if (r.status !== 200 || r.body.errors) throw new Error(`bulk into ${stream} failed: ${r.text.slice(0, 500)}`);
  return docIds;
}

/** `GET /_data_stream/<name>`: the stream, or undefined when it does not exist. */
export async function dataStream(
  base: string,
  name: string,
): Promise<{ replicated: boolean; indices: Array<{ index_name: string }> } | undefined> {
  const r = await http(base, "GET", `/_data_stream/${name}`);
  return r.status === 200 ? r.body.data_streams[0] : undefined;
}
