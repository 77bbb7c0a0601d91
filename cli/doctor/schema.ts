/** JSON Schema of `ccr-dr doctor --json` (docs/cli.md), enforced by test/integration/cli/setup.test.ts. */
export const doctorSchema = {
  type: "object",
  required: ["ok", "exitCode", "failed", "unknown", "checks"],
  additionalProperties: false,
  properties: {
    ok: { type: "boolean" },
    exitCode: { enum: [0, 1, 9] },
    failed: { type: "integer" },
    unknown: { type: "integer" },
    checks: {
      type: "array",
      items: {
        type: "object",
        required: ["check", "subject", "state", "message"],
        additionalProperties: false,
        properties: {
          check: {
            enum: ["toolchain", "stack-files", "stack-config", "primary", "deployed", "reachable", "remote", "privileges", "cluster"],
          },
          subject: { type: "string" },
          state: { enum: ["passed", "failed", "unknown"] },
          message: { type: "string" },
          fix: { type: "string" },
        },
      },
    },
  },
} as const;
