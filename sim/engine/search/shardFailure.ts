/**
 * ES builds queries, sorts and windows on each shard, so failures there (a bad number for a long
 * field, a query_string syntax error, sorting on a text field) reach the client wrapped in
 * `search_phase_execution_exception: all shards failed`, unlike request-parsing errors. Code that
 * fails "on the shard" throws a ShardFailure and the search entry point does the wrapping.
 */
import { EsError } from "../errors";

/** An error ES raises on the shard, to be wrapped as a failed search phase. */
export class ShardFailure extends Error {
  override readonly name = "ShardFailure";
  constructor(
    readonly error: EsError,
    /** Whether ES also repeats the exception under the top-level `caused_by` (it does when the shard error is not its own root cause). */
    readonly repeatAsCause = false,
  ) {
    super(error.message);
  }
}
