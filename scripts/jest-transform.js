/**
 * jest's TypeScript transform: loader.js's compiler (esbuild, the tsconfig's settings, an inline
 * source map jest reads), so tests run the code exactly as `pulumi up`, bin/ and the bench do.
 * Type checking is `tsc --noEmit` in `npm test`; jest only strips types.
 */
"use strict";
const crypto = require("node:crypto");
const { transform, transformId } = require("../loader");

module.exports = {
  process(source, filename) {
    return { code: transform(source, filename) };
  },
  getCacheKey(source, filename) {
    return crypto.createHash("sha256").update(`${transformId()}\0${filename}\0${source}`).digest("hex");
  },
};
