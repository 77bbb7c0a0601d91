/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // loader.js's compiler (esbuild); type checking is `tsc --noEmit` in `npm test`.
    "^.+\\.ts$": "<rootDir>/scripts/jest-transform.js",
  },
  testTimeout: 120000,
  maxWorkers: 1,
};
