/**
 * `ccr-dr doctor`: reads what the checks in checks.ts judge — both site stacks' configuration and
 * last outputs (Automation API, nothing is changed), each cluster's `GET /`, `_remote/info` and
 * `_has_privileges` with the credentials its own site's stack configures — and returns the results.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { CLUSTER_NAMES, type ClusterName, plainConnection, type SiteConfig } from "../../stack/config";
import { info, remoteInfo } from "../../es/cluster";
import { close, connect } from "../../es/connection";
import { securityHasPrivileges } from "../../es/security";
import { pulumiEnv, repoRoot, toolsBin } from "../toolchain";
import { DEFAULT_STACKS, rawConfigOf, type WorkspaceOptions } from "../workspace";
import {
  type CheckResult,
  compareStackFiles,
  deployedCheck,
  doctorExitCode,
  formatResult,
  parseStackFile,
  primaryCheck,
  privilegesCheck,
  privilegesNeeded,
  reachableCheck,
  remoteCheck,
  type StackFile,
} from "./checks";

/** Bound on each request of the doctor: it reports, it does not wait for a slow cluster. */
export const DOCTOR_TIMEOUT_MS = 3_000;

export interface DoctorReport {
  /** True only when every check passed. */
  ok: boolean;
  exitCode: number;
  failed: number;
  unknown: number;
  checks: CheckResult[];
}

/** The first line of an error, without es/errors.ts's generic "Likely fix" (each check says its own fix). */
const oneLine = (e: unknown): string => {
  const line =
    (e instanceof Error ? e.message : String(e))
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? String(e);
  return line.split(" Likely fix:")[0]!;
};

/** Checks of one cluster, with the configuration of its own site's stack (the authority on it). */
async function clusterChecks(cluster: ClusterName, cfg: SiteConfig): Promise<CheckResult[]> {
  const c = cfg.clusters[cluster];
  const endpoint = c.endpoints[0] ?? "";
  const es = connect(plainConnection(c, DOCTOR_TIMEOUT_MS), { maxRetries: 0 });
  try {
    try {
      await info(es);
    } catch (e) {
      const reason = `${cluster} does not answer`;
      return [
        reachableCheck(cluster, endpoint, oneLine(e)),
        { check: "remote", subject: `${cluster} → ${cfg.peer}`, state: "unknown", message: reason },
        { check: "privileges", subject: cluster, state: "unknown", message: reason },
      ];
    }
    const out = [reachableCheck(cluster, endpoint)];
    try {
      out.push(remoteCheck(cluster, cfg, { remotes: await remoteInfo(es) }));
    } catch (e) {
      out.push(remoteCheck(cluster, cfg, { error: oneLine(e) }));
    }
    const query = privilegesNeeded(cfg, cluster);
    try {
      out.push(privilegesCheck(cluster, query, { held: await securityHasPrivileges(es, query) }));
    } catch (e) {
      out.push(privilegesCheck(cluster, query, { error: e }));
    }
    return out;
  } finally {
    await close(es);
  }
}

/** Runs every check; never throws for what it finds (a missing stack is a failed check). */
export async function doctor(opts: WorkspaceOptions = {}): Promise<DoctorReport> {
  const workDir = opts.workDir ?? repoRoot;
  const envVars = { ...pulumiEnv(), ...(opts.env ?? {}) };
  const names = opts.stacks ?? DEFAULT_STACKS;
  const checks: CheckResult[] = [];
  if (!fs.existsSync(path.join(toolsBin, "pulumi"))) {
    checks.push({
      check: "toolchain",
      subject: toolsBin,
      state: "failed",
      message: `no Pulumi CLI in ${toolsBin}`,
      fix: "npm run setup",
    });
    return report(checks);
  }
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolsBin) });
  const files: Array<StackFile & { stackRef?: Stack }> = [];
  for (const cluster of CLUSTER_NAMES) {
    const stack = names[cluster];
    const file = `Pulumi.${stack}.yaml`;
    try {
      const s = await LocalWorkspace.selectStack({ stackName: stack, workDir }, { pulumiCommand, envVars });
      files.push({ cluster, stack, file, raw: await rawConfigOf(s), projectDir: workDir, stackRef: s });
    } catch (e) {
      checks.push({
        check: "stack-config",
        subject: file,
        state: "failed",
        message: `stack ${stack} cannot be read from ${envVars.PULUMI_BACKEND_URL}: ${oneLine(e)}`,
        fix: fs.existsSync(path.join(workDir, file))
          ? "npm run setup (creates both stacks), with the PULUMI_BACKEND_URL and passphrase of your deployment"
          : `create ${file} (copy the other site's and change ccr-dr:site), then npm run setup`,
      });
    }
  }
  const [a, b] = files;
  if (a && b) checks.push(...compareStackFiles(a, b));
  const parsed: Array<StackFile & { config: SiteConfig; stackRef?: Stack }> = [];
  for (const f of files) {
    const { config, results } = parseStackFile(f);
    checks.push(...results);
    if (config && results.every((r) => r.state === "passed")) parsed.push({ ...f, config });
  }
  const [pa, pb] = parsed;
  if (pa && pb) checks.push(primaryCheck(pa, pb));
  for (const p of parsed) {
    try {
      const outputs = await p.stackRef!.outputs();
      const primary = outputs["primary"]?.value;
      checks.push(deployedCheck(p, typeof primary === "string" ? primary : undefined));
    } catch (e) {
      checks.push(deployedCheck(p, undefined, oneLine(e)));
    }
  }
  const results = await Promise.all(parsed.map((p) => clusterChecks(p.cluster, p.config)));
  for (const r of results) checks.push(...r);
  for (const cluster of CLUSTER_NAMES) {
    if (!parsed.some((p) => p.cluster === cluster)) {
      checks.push({
        check: "cluster",
        subject: cluster,
        state: "unknown",
        message: `${cluster} was not checked: its site stack's configuration cannot be used (above)`,
      });
    }
  }
  return report(checks);
}

function report(checks: CheckResult[]): DoctorReport {
  const exitCode = doctorExitCode(checks);
  return {
    ok: exitCode === 0,
    exitCode,
    failed: checks.filter((c) => c.state === "failed").length,
    unknown: checks.filter((c) => c.state === "unknown").length,
    checks,
  };
}

/** The human form: one line per check, then the verdict. */
export function printDoctor(r: DoctorReport, print: (line: string) => void = (l) => console.log(l)): void {
  for (const c of r.checks) print(formatResult(c));
  const passed = r.checks.length - r.failed - r.unknown;
  print(
    r.ok
      ? `doctor: all ${passed} checks passed`
      : `doctor: ${r.failed} failed, ${r.unknown} unknown, ${passed} passed${r.failed === 0 ? " — not everything could be checked" : ""}`,
  );
}
