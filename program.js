/**
 * The entry point Pulumi runs (`main:` in Pulumi.yaml, with the runtime's TypeScript option off):
 * the program is index.ts, compiled by loader.js from a cache instead of by ts-node on every
 * `pulumi up` (bench/README.md).
 */
"use strict";
require("./loader").register();
module.exports = require("./index.ts");
