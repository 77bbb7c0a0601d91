/**
 * Hermetic Pulumi workspaces for tests: a temp `file://` backend, a temp PULUMI_HOME and the
 * project's self-built CLI (never Pulumi Cloud, never a download).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { pulumiEnv, repoRoot } from "../../cli/toolchain";

export interface TestBackend {
  dir: string;
  env: Record<string, string>;
  command: PulumiCommand;
  /** Removes the backend and everything the tests put under it. */
  cleanup(): void;
}

export async function withTestBackend(): Promise<TestBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-pulumi-"));
  const env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(dir, "home") });
  env.PULUMI_CONFIG_PASSPHRASE = "test-passphrase";
  const command = await PulumiCommand.get({ root: path.join(repoRoot, ".tools") });
  return { dir, env, command, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Creates (or selects) a stack of a local program directory on the test backend. */
export async function localStack(backend: TestBackend, workDir: string, stackName: string): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack({ stackName, workDir }, { pulumiCommand: backend.command, envVars: backend.env });
}
