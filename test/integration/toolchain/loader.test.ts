/**
 * loader.js (how `pulumi up` runs the program and the providers): compiled modules are cached by a
 * hash of their source, so an edit is always picked up — even one that keeps the file's size and
 * modification time — and an unchanged module is never compiled twice.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../../cli/toolchain";

test("a module is compiled once per source text, and an edit is never served stale", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-loader-"));
  try {
    for (const f of ["loader.js", "tsconfig.json"]) fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    const mod = path.join(dir, "index.ts");
    const value = () =>
      execFileSync(process.execPath, ["-e", 'require("./loader").register(); const m = require("./index.ts"); console.log(m.value(2))'], {
        cwd: dir,
        encoding: "utf8",
      }).trim();
    const cached = () => fs.readdirSync(path.join(dir, ".ccr-dr", "cache", "js")).filter((f) => f.endsWith(".js")).length;

    fs.writeFileSync(mod, "export const value = (n: number): number => n * 10;\n");
    const mtime = fs.statSync(mod).mtime;
    expect(value()).toBe("20");
    expect(cached()).toBe(1);
    expect(value()).toBe("20"); // served from the cache
    expect(cached()).toBe(1);

    // Same length, same modification time, different text: must be recompiled.
    fs.writeFileSync(mod, "export const value = (n: number): number => n * 30;\n");
    fs.utimesSync(mod, mtime, mtime);
    expect(value()).toBe("60");
    expect(cached()).toBe(2);

    // `--warm` compiles what is missing and reports nothing when all is cached.
    expect(execFileSync(process.execPath, ["loader.js", "--warm"], { cwd: dir, encoding: "utf8" }).trim()).toBe("");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
