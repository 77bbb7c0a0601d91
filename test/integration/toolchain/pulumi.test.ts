/**
 * Proves the offline toolchain for real: the self-built CLI answers `pulumi version` through the
 * Automation API, and a throw-away program with a dynamic resource previews, deploys, shows no
 * change on a second preview, and is destroyed — all on a temporary file:// backend.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { repoRoot } from "../../../cli/toolchain";
import { localStack, TestBackend, withTestBackend } from "../../helpers/pulumi";

const program = `
const pulumi = require("@pulumi/pulumi");
const fs = require("fs");
// A dynamic resource that writes a real file, so the test can check the world, not just state.
const provider = {
  async create(inputs) {
    require("fs").writeFileSync(inputs.path, inputs.text);
    return { id: inputs.path, outs: inputs };
  },
  async update(id, olds, news) {
    require("fs").writeFileSync(news.path, news.text);
    return { outs: news };
  },
  async delete(id) {
    require("fs").rmSync(id, { force: true });
  },
};
class MarkerFile extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(provider, name, { ...args }, opts, "smoke", "MarkerFile");
  }
}
const cfg = new pulumi.Config();
const marker = new MarkerFile("marker", { path: cfg.require("path"), text: cfg.require("text") });
exports.markerPath = marker.id;
`;

describe("offline Pulumi toolchain", () => {
  let backend: TestBackend;
  let workDir: string;

  beforeAll(async () => {
    backend = await withTestBackend();
    workDir = path.join(backend.dir, "program");
    fs.mkdirSync(workDir);
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: smoke\nruntime: nodejs\n");
    fs.writeFileSync(path.join(workDir, "index.js"), program);
    // The dynamic-provider shim resolves @pulumi/pulumi from the program directory.
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"));
  });
  afterAll(() => backend?.cleanup());

  test("pulumi version through the Automation API is the pinned release", async () => {
    const ws = await LocalWorkspace.create({ workDir, pulumiCommand: backend.command, envVars: backend.env });
    expect(ws.pulumiVersion).toBe("3.248.0");
  });

  test("preview, up, no-change preview and destroy of a dynamic resource", async () => {
    const stack = await localStack(backend, workDir, "smoke");
    const target = path.join(backend.dir, "marker.txt");
    await stack.setConfig("smoke:path", { value: target });
    await stack.setConfig("smoke:text", { value: "hello" });

    const preview = await stack.preview();
    expect(preview.changeSummary.create).toBe(2); // the stack and the marker

    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(fs.readFileSync(target, "utf8")).toBe("hello");
    expect(up.outputs.markerPath.value).toBe(target);

    const again = await stack.preview();
    expect(again.changeSummary).toEqual({ same: 2 });

    await stack.setConfig("smoke:text", { value: "bye" });
    await stack.up();
    expect(fs.readFileSync(target, "utf8")).toBe("bye");

    await stack.destroy();
    expect(fs.existsSync(target)).toBe(false);
  });
});
