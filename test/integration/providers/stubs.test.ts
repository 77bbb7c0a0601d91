/**
 * The resources' `__provider` code (providers/shared/providerCode.ts) as Pulumi's dynamic-provider
 * process runs it: a one-line module, loaded in the program directory, that loads the provider
 * through loader.js — here from a staged copy of the program that links to the repository, as the
 * drill and the end-to-end tests run it. Errors keep their messages (the engine shows them).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../../cli/toolchain";
import { LEGACY_PROVIDER_PATHS, PROVIDERS, type ProviderName } from "../../../providers/registry";
import { stageProgram } from "../../../cli/workspace";

test("each provider loads from its one-line __provider in a staged program directory and reports errors with their messages", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-stubs-"));
  try {
    const programDir = stageProgram(path.join(dir, "program"), {});
    const out = execFileSync(
      process.execPath,
      [
        "-r",
        path.join(repoRoot, "scripts/register.js"),
        path.join(repoRoot, "test/helpers/providerStubs.ts"),
        programDir,
        "http://127.0.0.1:9",
      ],
      {
        cwd: repoRoot,
        encoding: "utf8",
      },
    );
    const report = JSON.parse(out.trim().split("\n").pop()!);
    for (const name of Object.keys(PROVIDERS)) {
      expect(report[name].checkFailures).toBe(0);
      // State in the old format (a file path in __provider) gets the same provider.
      expect(report[name].legacySame).toBe(Object.values(LEGACY_PROVIDER_PATHS).includes(name as ProviderName) ? true : undefined);
      // Stored twice per resource in the state: short, and the same in every checkout.
      expect(report[name].chars).toBeLessThan(200);
      expect(report[name].text).not.toContain(repoRoot);
      expect(report[name].text).not.toContain(dir);
    }
    // Kinds whose create calls no cluster: a generated name (quarantineName), stored inputs (patternPromotion).
    for (const name of Object.keys(PROVIDERS).filter((n) => n !== "quarantineName" && n !== "patternPromotion")) {
      // A dead endpoint: the message names the cluster, never "undefined".
      expect(report[name].createError).toMatch(/clusterB/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
