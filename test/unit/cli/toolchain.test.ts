/**
 * The environment of every Pulumi invocation, in Node (cli/toolchain.ts) and in shell
 * (scripts/toolchain.env.sh, which the wrapper and setup source): the same backend and the
 * documented passphrase as a default for the rehearsal backend only.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { localBackendUrl, localPassphrase, pulumiEnv, repoRoot } from "../../../cli/toolchain";

type Env = Record<string, string | undefined>;
const S3 = "s3://dr-state/ccr-dr";
const cases: Array<[string, Env, { backend: string; passphrase: string | undefined }]> = [
  ["nothing set: the rehearsal backend and its passphrase", {}, { backend: localBackendUrl, passphrase: localPassphrase }],
  [
    "the rehearsal backend named explicitly",
    { PULUMI_BACKEND_URL: localBackendUrl },
    { backend: localBackendUrl, passphrase: localPassphrase },
  ],
  ["a backend of your own: no default passphrase", { PULUMI_BACKEND_URL: S3 }, { backend: S3, passphrase: undefined }],
  [
    "a backend of your own with its passphrase",
    { PULUMI_BACKEND_URL: S3, PULUMI_CONFIG_PASSPHRASE: "mine" },
    { backend: S3, passphrase: "mine" },
  ],
  [
    "a passphrase file instead of the default",
    { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/p" },
    { backend: localBackendUrl, passphrase: undefined },
  ],
  ["an empty passphrase is a passphrase", { PULUMI_CONFIG_PASSPHRASE: "" }, { backend: localBackendUrl, passphrase: "" }],
];

const KEYS = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"] as const;

describe("pulumiEnv (cli/toolchain.ts)", () => {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  test.each(cases)("%s", (_n, env, want) => {
    for (const k of KEYS) delete process.env[k];
    Object.assign(process.env, env);
    const got = pulumiEnv();
    expect({ backend: got.PULUMI_BACKEND_URL, passphrase: got.PULUMI_CONFIG_PASSPHRASE }).toEqual(want);
    expect(got.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe("true");
  });
  test("a test backend directory keeps the rehearsal default", () => {
    for (const k of KEYS) delete process.env[k];
    process.env.PULUMI_BACKEND_URL = S3;
    const dir = path.join(repoRoot, ".pulumi-state");
    expect(pulumiEnv({ backendDir: dir })).toMatchObject({
      PULUMI_BACKEND_URL: `file://${dir}`,
      PULUMI_CONFIG_PASSPHRASE: localPassphrase,
    });
  });
  test("a backend URL given in code wins over the environment and gets no default passphrase", () => {
    for (const k of KEYS) delete process.env[k];
    process.env.PULUMI_BACKEND_URL = "file:///elsewhere";
    const url = "s3://ccr-dr-state/ccr-dr?endpoint=http://127.0.0.1:8333&use_path_style=true&region=us-east-1";
    const got = pulumiEnv({ backendUrl: url });
    expect({ backend: got.PULUMI_BACKEND_URL, passphrase: got.PULUMI_CONFIG_PASSPHRASE }).toEqual({ backend: url, passphrase: undefined });
  });
});

describe("scripts/toolchain.env.sh", () => {
  test.each(cases)("%s", (_n, env, want) => {
    const base: Env = { ...process.env };
    for (const k of KEYS) delete base[k];
    const r = spawnSync(
      "bash",
      ["-c", 'source scripts/toolchain.env.sh && printf "%s\\n%s\\n" "$PULUMI_BACKEND_URL" "${PULUMI_CONFIG_PASSPHRASE-<unset>}"'],
      { cwd: repoRoot, env: { ...base, ...env, ROOT: repoRoot }, encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${want.backend}\n${want.passphrase ?? "<unset>"}\n`);
  });
});
