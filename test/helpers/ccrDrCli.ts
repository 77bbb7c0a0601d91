/**
 * Runs `bin/ccr-dr` as a pipeline does: a real child process, stdin not a TTY, on a DrPair's
 * staged program and backend; and checks `--json` output against the documented schemas.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import Ajv from "ajv";
import { schemas } from "../../cli/schemas";
import { repoRoot } from "../../cli/toolchain";
import type { DrPair } from "./drPair";

const ajv = new Ajv({ allErrors: true, strict: false });

export function expectSchema(name: keyof typeof schemas, value: unknown): void {
  const validate = ajv.compile(schemas[name]);
  if (!validate(value))
    throw new Error(`${name} output does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value, null, 2)}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

export function ccrDr(pair: DrPair | undefined, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/ccr-dr"), ...args, ...(pair ? ["--work-dir", pair.workDir] : [])], {
      cwd: repoRoot,
      env: { ...process.env, ...(pair?.env ?? {}), ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("exit", (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
