/** docs/configuration.md is checked against Pulumi.yaml and the settings stack/config.ts accepts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLUSTER_SETTINGS } from "../../../stack/config";

const root = path.resolve(__dirname, "../../..");
const doc = fs.readFileSync(path.join(root, "docs/configuration.md"), "utf8");

/** The keys under `config:` in Pulumi.yaml (two-space indented names). */
function declaredKeys(): string[] {
  const yaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
  const config = yaml.slice(yaml.indexOf("\nconfig:\n"));
  return [...config.matchAll(/^ {2}([A-Za-z]+):\s*$/gm)].map((m) => m[1]!);
}

test("every key declared in Pulumi.yaml is documented, and nothing else", () => {
  const documented = [...doc.matchAll(/^\| `ccr-dr:([A-Za-z]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(declaredKeys().sort());
});

test("every per-cluster setting the program accepts is documented", () => {
  for (const key of CLUSTER_SETTINGS) expect(doc).toMatch(new RegExp("^\\| (`\\w+` / )?`" + key + "`", "m"));
});
