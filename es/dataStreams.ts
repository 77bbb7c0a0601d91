/**
 * Typed calls for time-based data (rest-api-spec `indices.*` index template, data stream and
 * rollover operations), each with the "already done" conditions a step can treat as success:
 * a template or stream that is already there, one that is already gone. Absent is `undefined`,
 * never an empty value.
 */
import type { Es } from "./connection";
import { call, change, readOrUndefined, type StepOutcome } from "./request";

/** A composable index template body as `indices.put_index_template` takes it (snake_case, as ES). */
export interface IndexTemplateBody {
  index_patterns: string[];
  priority?: number;
  version?: number;
  data_stream?: { hidden?: boolean; allow_custom_routing?: boolean };
  template?: { settings?: Record<string, unknown>; mappings?: Record<string, unknown>; aliases?: Record<string, unknown> };
  _meta?: Record<string, unknown>;
}

/** `indices.put_index_template` (create or replace; the same body again changes nothing). */
export async function indicesPutIndexTemplate(es: Es, name: string, body: IndexTemplateBody): Promise<void> {
  await call(es, "indices.put_index_template", undefined, (c) => c.indices.putIndexTemplate({ name, ...body } as never));
}

/** `indices.get_index_template` of one name: the template as ES renders it; `undefined` when there is none. */
export async function indicesGetIndexTemplate(es: Es, name: string): Promise<IndexTemplateBody | undefined> {
  const r = (await readOrUndefined(es, "indices.get_index_template", undefined, (c) => c.indices.getIndexTemplate({ name }), [
    "template_missing",
  ])) as { index_templates?: Array<{ name: string; index_template: IndexTemplateBody }> } | undefined;
  return r?.index_templates?.find((t) => t.name === name)?.index_template;
}

/** `indices.delete_index_template`; a missing template counts as done. */
export function indicesDeleteIndexTemplate(es: Es, name: string): Promise<StepOutcome> {
  return change(es, "indices.delete_index_template", undefined, (c) => c.indices.deleteIndexTemplate({ name }), ["template_missing"]);
}

/** One data stream as `indices.get_data_stream` describes it (the fields ccr-dr reads). */
export interface DataStreamDescription {
  name: string;
  /** Backing indices, oldest first; the last is the write index. */
  indices: string[];
  generation: number;
  /** A CCR follower stream: no rollover, no writes until promoted. */
  replicated: boolean;
  /** The index template the stream matches now, when one does. */
  template: string | undefined;
  status: string;
}

/** `indices.get_data_stream` of one name (hidden ones too); `undefined` when there is no such stream. */
export async function indicesGetDataStream(es: Es, name: string): Promise<DataStreamDescription | undefined> {
  const r = (await readOrUndefined(es, "indices.get_data_stream", name, (c) =>
    c.indices.getDataStream({ name, expand_wildcards: "all" }),
  )) as { data_streams?: Array<Record<string, unknown>> } | undefined;
  const ds = r?.data_streams?.find((d) => d.name === name);
  if (!ds) return undefined;
  return {
    name,
    indices: ((ds.indices as Array<{ index_name: string }> | undefined) ?? []).map((i) => i.index_name),
    generation: Number(ds.generation),
    replicated: ds.replicated === true,
    template: typeof ds.template === "string" ? ds.template : undefined,
    status: String(ds.status),
  };
}

/** `indices.create_data_stream`; an existing stream counts as done. */
export function indicesCreateDataStream(es: Es, name: string): Promise<StepOutcome> {
  return change(es, "indices.create_data_stream", name, (c) => c.indices.createDataStream({ name }), ["already_exists"]);
}

/** `indices.delete_data_stream` of one name; a missing stream counts as done. */
export function indicesDeleteDataStream(es: Es, name: string): Promise<StepOutcome> {
  return change(es, "indices.delete_data_stream", name, (c) => c.indices.deleteDataStream({ name }), ["index_not_found"]);
}

/**
 * `indices.promote_data_stream`: a replicated (follower) stream becomes a regular one. ES answers
 * success for a stream that is not replicated too, so "done" says only that it is not replicated
 * now; a missing stream is an error (`data_stream_missing`), not done.
 */
export async function indicesPromoteDataStream(es: Es, name: string): Promise<StepOutcome> {
  await call(es, "indices.promote_data_stream", name, (c) => c.indices.promoteDataStream({ name }));
  return "done";
}

/** What `indices.rollover` did. */
export interface RolloverResult {
  oldIndex: string;
  newIndex: string;
  rolledOver: boolean;
}

/** `indices.rollover` of a data stream (or alias), without conditions: a new write index. */
export async function indicesRollover(es: Es, target: string): Promise<RolloverResult> {
  const r = (await call(es, "indices.rollover", target, (c) => c.indices.rollover({ alias: target }))) as {
    old_index: string;
    new_index: string;
    rolled_over: boolean;
  };
  return { oldIndex: r.old_index, newIndex: r.new_index, rolledOver: r.rolled_over };
}

/** `indices.get_data_stream` of an expression (`*` for all, hidden ones too); none when nothing matches. */
export async function indicesGetDataStreams(es: Es, expression: string): Promise<DataStreamDescription[]> {
  const r = (await readOrUndefined(es, "indices.get_data_stream", expression, (c) =>
    c.indices.getDataStream({ name: expression, expand_wildcards: "all" }),
  )) as { data_streams?: Array<Record<string, unknown>> } | undefined;
  return (r?.data_streams ?? []).map((ds) => ({
    name: String(ds.name),
    indices: ((ds.indices as Array<{ index_name: string }> | undefined) ?? []).map((i) => i.index_name),
    generation: Number(ds.generation),
    replicated: ds.replicated === true,
    template: typeof ds.template === "string" ? ds.template : undefined,
    status: String(ds.status),
  }));
}
