/**
 * `node -r ./scripts/register.js FILE.ts …`: runs a TypeScript file of the repository from source
 * through loader.js (the bench, scripts, test helpers that need a plain Node process).
 */
"use strict";
require("../loader").register();
