/**
 * The Pulumi toolchain and environment for Node code (the CLI, tests, benchmarks): the same values
 * scripts/toolchain.env.sh gives shell scripts. `npm run bootstrap` must have run first.
 */
import * as path from "node:path";
import * as fs from "node:fs";

/** Repository root (this file lives in cli/). */
export const repoRoot = path.resolve(__dirname, "..");

/** Where bootstrap links `pulumi`, the language host and the dynamic-provider shim. */
export const toolsBin = path.join(repoRoot, ".tools", "bin");

/** The passphrase of the local file backend, documented in the README; real users set their own. */
export const localPassphrase = "ccr-dr-local";

/** Pulumi's `--parallel` unless PULUMI_PARALLEL is set: as scripts/toolchain.env.sh. */
export const DEFAULT_PARALLEL = "64";

/** The rehearsal backend: state in the checkout (git-ignored), the default when PULUMI_BACKEND_URL is unset. */
export const localBackendUrl = `file://${path.join(repoRoot, ".pulumi-state")}`;

/**
 * Environment for every Pulumi invocation: our tools first on PATH, no update check, and no
 * automatic plugin download (offline machines must fail fast on a missing plugin).
 * `backendDir` selects a `file://` backend, `backendUrl` any backend (e.g. an `s3://` bucket);
 * otherwise PULUMI_BACKEND_URL or the repo-local one. The documented passphrase is a default only
 * for the repo-local backend and `backendDir` ones (rehearsals, tests); with a backend of your own
 * you set PULUMI_CONFIG_PASSPHRASE(_FILE).
 */
export function pulumiEnv(opts: { backendDir?: string; backendUrl?: string; pulumiHome?: string } = {}): Record<string, string> {
  const backend = opts.backendDir ? `file://${opts.backendDir}` : (opts.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? localBackendUrl);
  const env: Record<string, string> = {
    PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_BACKEND_URL: backend,
    // Steps in flight; the state writes of the patched CLI batch up to this many (scripts/toolchain.env.sh).
    PULUMI_PARALLEL: process.env.PULUMI_PARALLEL ?? DEFAULT_PARALLEL,
  };
  const rehearsal = opts.backendDir !== undefined || backend === localBackendUrl;
  if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined) env.PULUMI_CONFIG_PASSPHRASE = process.env.PULUMI_CONFIG_PASSPHRASE;
  else if (rehearsal && !process.env.PULUMI_CONFIG_PASSPHRASE_FILE) env.PULUMI_CONFIG_PASSPHRASE = localPassphrase;
  if (opts.pulumiHome) env.PULUMI_HOME = opts.pulumiHome;
  if (opts.backendDir) fs.mkdirSync(opts.backendDir, { recursive: true });
  else if (backend === localBackendUrl) fs.mkdirSync(path.join(repoRoot, ".pulumi-state"), { recursive: true });
  return env;
}

/** The `pulumi` executable bootstrap provides. */
export function pulumiBinary(): string {
  const bin = path.join(toolsBin, "pulumi");
  if (!fs.existsSync(bin)) {
    throw new Error(`no Pulumi CLI at ${bin}: run \`npm run bootstrap\` (it builds one from the Go module proxy)`);
  }
  return bin;
}
