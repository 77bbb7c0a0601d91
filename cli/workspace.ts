/**
 * The two site stacks of the program, opened through the Automation API (LocalWorkspace over a
 * local program directory): the repository itself for real use, or a staged copy with its own
 * stack files for drills and tests, so they never rewrite the committed Pulumi.dr-*.yaml.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { CLUSTER_NAMES, type ClusterName, ConfigError, parseSiteConfig, type RawConfig, type SiteConfig } from "../stack/config";
import { CliError, EXIT, pulumiFailure } from "./errors";
import { pulumiEnv, repoRoot, toolsBin } from "./toolchain";

/** The stack names of the two sites by default (Pulumi.dr-a.yaml, Pulumi.dr-b.yaml). */
export const DEFAULT_STACKS: Record<ClusterName, string> = { clusterA: "dr-a", clusterB: "dr-b" };

/** Which program and stacks to use. */
export interface WorkspaceOptions {
  /** The program directory (default: the repository). */
  workDir?: string;
  /** Stack name per site (default: dr-a / dr-b). */
  stacks?: Record<ClusterName, string>;
  /** Extra environment for Pulumi (e.g. a test backend); defaults come from cli/toolchain.ts. */
  env?: Record<string, string>;
}

/** A site: its stack and its parsed configuration. */
export interface Site {
  name: ClusterName;
  stack: Stack;
  config: SiteConfig;
}

export interface Sites {
  workDir: string;
  env: Record<string, string>;
  site: Record<ClusterName, Site>;
}

/**
 * Environment for the program's runs. Nothing beyond the toolchain's: the program runs from
 * cached JavaScript through program.js and loader.js (Pulumi.yaml's `main`, TypeScript option off),
 * the same with `ccr-dr` as with a plain `pulumi up` (parallelism included: PULUMI_PARALLEL, cli/toolchain.ts).
 */
function programEnv(extra: Record<string, string> | undefined): Record<string, string> {
  return { ...pulumiEnv(), ...(extra ?? {}) };
}

/** The `ccr-dr:*` values of a stack as the program reads them (objects parsed), secrets decrypted. */
export async function rawConfigOf(stack: Stack): Promise<RawConfig> {
  const all = await stack.getAllConfig();
  const value = (k: string): unknown => {
    const v = all[`ccr-dr:${k}`];
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v.value);
    } catch {
      return v.value;
    }
  };
  return {
    site: all["ccr-dr:site"]?.value,
    primary: all["ccr-dr:primary"]?.value,
    clusters: value("clusters"),
    indices: value("indices"),
    indicesFile: all["ccr-dr:indicesFile"]?.value,
    autoFollowPatterns: value("autoFollowPatterns"),
    fenced: value("fenced"),
  };
}

/**
 * The stack config as the program reads it, parsed with the program's own rules; a
 * `ccr-dr:indicesFile` is read from the program directory (workDir), where the program reads it.
 */
export async function siteConfigOf(stack: Stack): Promise<SiteConfig> {
  return parseSiteConfig(await rawConfigOf(stack), { projectDir: stack.workspace.workDir });
}

/** Opens the stacks of `names` (creating them on the backend if new) and reads their configuration. */
async function openStacks(
  opts: WorkspaceOptions,
  names: readonly ClusterName[],
): Promise<Omit<Sites, "site"> & { site: Partial<Record<ClusterName, Site>> }> {
  const workDir = opts.workDir ?? repoRoot;
  const env = programEnv(opts.env);
  if (!fs.existsSync(path.join(toolsBin, "pulumi"))) {
    throw new CliError(EXIT.failed, `no Pulumi CLI in ${toolsBin}: run \`npm run bootstrap\` first`);
  }
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolsBin) });
  const stacks = opts.stacks ?? DEFAULT_STACKS;
  const site: Partial<Record<ClusterName, Site>> = {};
  for (const name of names) {
    const file = `Pulumi.${stacks[name]}.yaml`;
    let stack: Stack;
    let config: SiteConfig;
    try {
      stack = await LocalWorkspace.createOrSelectStack({ stackName: stacks[name], workDir }, { pulumiCommand, envVars: env });
      config = await siteConfigOf(stack);
    } catch (e) {
      throw stackOpenError(stacks[name], file, e);
    }
    if (config.site !== name) {
      throw new CliError(EXIT.usage, `stack ${stacks[name]} manages ${config.site}, not ${name}: check ccr-dr:site in ${file}`);
    }
    site[name] = { name, stack, config };
  }
  return { workDir, env, site };
}

/**
 * Why a stack could not be opened, as one line: a stack file that does not parse or a `ccr-dr:*`
 * key that is invalid is bad configuration (exit 2), named with its file; anything else (no
 * backend, a wrong passphrase) is a failed operation with Pulumi's own error line.
 */
function stackOpenError(stackName: string, file: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigError) {
    return new CliError(
      EXIT.usage,
      `stack ${stackName} (${file}): invalid ccr-dr configuration: ${e.problems.join("; ")}: fix ${file} (docs/configuration.md)`,
      { cause: e },
    );
  }
  const raw = String((e as Error).message ?? e);
  const f = pulumiFailure(raw);
  if (f.badConfiguration) return new CliError(EXIT.usage, `stack ${stackName}: ${f.message}: fix ${file}`, { cause: e, detail: raw });
  return new CliError(EXIT.failed, `opening stack ${stackName} failed: ${f.message}`, { cause: e, detail: raw });
}

/** The stack file of `stackName` in the program directory (Pulumi.<stack>.yaml). */
export function stackFilePath(workDir: string, stackName: string): string {
  return path.join(workDir, `Pulumi.${stackName}.yaml`);
}

/** Opens both site stacks (creating them on the backend if new) and reads their configuration. */
export async function openSites(opts: WorkspaceOptions = {}): Promise<Sites> {
  const { site, ...rest } = await openStacks(opts, CLUSTER_NAMES);
  return { ...rest, site: site as Record<ClusterName, Site> };
}

/** A site whose stack could not be opened, and Pulumi's reason. */
export interface UnreadableSite {
  site: ClusterName;
  stack: string;
  error: CliError;
}

/**
 * Opens both site stacks as far as they can be: a stack that cannot be opened for an operational
 * reason — typically its secrets provider (a KMS key, a passphrase) is at the site that is down —
 * is reported instead of failing the whole read, so the surviving site can still see its own
 * cluster and the other one through its own stack's connection. Bad configuration (exit 2) still
 * fails, as does a read where neither stack opens.
 */
export async function openSitesAsAvailable(
  opts: WorkspaceOptions = {},
): Promise<{ workDir: string; env: Record<string, string>; site: Partial<Record<ClusterName, Site>>; unreadable: UnreadableSite[] }> {
  const stacks = opts.stacks ?? DEFAULT_STACKS;
  const opened: Array<Awaited<ReturnType<typeof openStacks>> | UnreadableSite> = [];
  // one after the other, as openStacks does: selecting stacks of one workspace concurrently races
  for (const name of CLUSTER_NAMES) {
    try {
      opened.push(await openStacks(opts, [name]));
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== EXIT.failed) throw e;
      opened.push({ site: name, stack: stacks[name], error: e });
    }
  }
  const unreadable = opened.filter((o): o is UnreadableSite => "error" in o);
  const readable = opened.filter((o): o is Awaited<ReturnType<typeof openStacks>> => !("error" in o));
  if (readable.length === 0) throw unreadable[0]!.error;
  return {
    workDir: readable[0]!.workDir,
    env: readable[0]!.env,
    site: Object.assign({}, ...readable.map((r) => r.site)) as Partial<Record<ClusterName, Site>>,
    unreadable,
  };
}

/**
 * Opens one site's stack only. A failover needs nothing of the other site's stack, and reading it
 * would decrypt its secrets — with a KMS key of the failed region as its secrets provider, that
 * fails while the region is down (test/integration/state/s3State.test.ts).
 */
export async function openSite(
  name: ClusterName,
  opts: WorkspaceOptions = {},
): Promise<{ workDir: string; env: Record<string, string>; site: Site }> {
  const { site, ...rest } = await openStacks(opts, [name]);
  return { ...rest, site: site[name]! };
}

/** The files of the program a staged copy links to (everything `pulumi up` needs; loader.js and the providers also run in the provider process). */
const PROGRAM_FILES = ["program.js", "loader.js", "index.ts", "stack", "es", "providers", "package.json", "tsconfig.json", "node_modules"];

/**
 * Stages the program in `dir` (links to the repository's sources, its own Pulumi.yaml and stack
 * files), so a drill or a test can configure stacks without touching the repository's.
 */
export function stageProgram(dir: string, stacks: Record<string, Record<string, unknown>>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of PROGRAM_FILES) {
    const target = path.join(dir, f);
    if (!fs.existsSync(target)) fs.symlinkSync(path.join(repoRoot, f), target);
  }
  fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [stack, config] of Object.entries(stacks)) {
    // JSON is YAML: no YAML writer needed.
    const body = { config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`ccr-dr:${k}`, v])) };
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), JSON.stringify(body, null, 2) + "\n");
  }
  return dir;
}
