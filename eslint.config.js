/**
 * ESLint (flat config): eslint's and typescript-eslint's recommended rules — without type
 * information, so `npm run lint` stays fast — a few rules that catch real mistakes, and
 * eslint-config-prettier last, which turns off every rule prettier's formatting decides.
 */
"use strict";
const js = require("@eslint/js");
const { defineConfig, globalIgnores } = require("eslint/config");
const prettier = require("eslint-config-prettier");
const globals = require("globals");
const tseslint = require("typescript-eslint");

module.exports = defineConfig([
  globalIgnores(["node_modules/", ".tools/", ".pulumi-state/", ".ccr-dr/", "bench/results/", "coverage/"]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      // As tsc's noUnusedLocals/noUnusedParameters: `_`-prefixed names and the siblings of a rest
      // element (`const { omitted: _omitted, ...kept } = x`) are deliberate.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests and benchmarks read untyped JSON bodies from es-sim, Elasticsearch and pulumi, as any
    // REST client does; `any` there is the point.
    files: ["test/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The CommonJS entry points and tooling (the bin/ scripts have no extension, so they are named).
    files: ["**/*.js", "bin/ccr-dr", "bin/es-sim"],
    languageOptions: { sourceType: "commonjs" },
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      // `const crypto = require("node:crypto")` is not a redeclaration worth a finding.
      "no-redeclare": ["error", { builtinGlobals: false }],
    },
  },
  prettier,
]);
