/**
 * Plain stack traces for the SDK's promise bookkeeping, installed before the program declares
 * anything (index.ts imports this module first).
 *
 * @pulumi/pulumi's `debuggablePromise` (runtime/debuggable.js) reads `new Error().stack` for every
 * output property of every resource, to print it only if that promise is still pending when the
 * program exits. With source-map-support installed (by Pulumi's runner and loader.js), reading it
 * maps each frame through the source maps: a third of the program's CPU when it declares hundreds
 * of followers (bench/README.md, "Linear cost"). Those traces get V8's own format (positions in
 * the compiled JavaScript); every other trace — errors, and the source positions Pulumi records
 * for each resource — still goes through source-map-support and points into the TypeScript.
 */
import * as path from "node:path";

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;
const MARK = Symbol.for("ccr-dr.plainPromiseTraces");

/** Whether `frame` is the SDK's debuggablePromise capturing its trace. */
function isPromiseBookkeeping(frame: NodeJS.CallSite | undefined): boolean {
  if (!frame || frame.getFunctionName() !== "debuggablePromise") return false;
  return (frame.getFileName() ?? "").endsWith(`${path.sep}runtime${path.sep}debuggable.js`);
}

/** Wraps the installed `Error.prepareStackTrace` (if any) once; idempotent. */
export function plainPromiseTraces(): void {
  const mapped = Error.prepareStackTrace as (PrepareStackTrace & { [MARK]?: true }) | undefined;
  if (mapped === undefined || mapped[MARK]) return;
  const wrapper: PrepareStackTrace & { [MARK]?: true } = (error, frames) =>
    isPromiseBookkeeping(frames[0]) ? `${String(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}` : mapped(error, frames);
  wrapper[MARK] = true;
  Error.prepareStackTrace = wrapper;
}

plainPromiseTraces();
