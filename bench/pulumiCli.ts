/**
 * The `pulumi` CLI as an operator runs it by hand (README: `pulumi config set … && pulumi up`),
 * in a bench pair's program directory with its backend and passphrase.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { toolsBin } from "../cli/toolchain";
import type { BenchPair } from "./pair";

export interface CliRun {
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs `pulumi <args>` in the pair's program directory; rejects with the output on failure. */
export function pulumi(pair: BenchPair, args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(toolsBin, "pulumi"), [...args, "--non-interactive"], {
      cwd: pair.workDir,
      env: { ...process.env, ...pair.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout, stderr });
      else
        reject(
          new Error(
            `pulumi ${args.join(" ")} exited ${code ?? signal} after ${Math.round(ms)} ms:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
          ),
        );
    });
  });
}

/** `pulumi up --yes --skip-preview` on `stack` (what the Automation API and `ccr-dr` run). */
export function up(pair: BenchPair, stack: string, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return pulumi(pair, ["up", "--yes", "--skip-preview", "-s", stack, ...extraArgs], extraEnv);
}
