/**
 * Preloaded (`node --require`) into Pulumi's dynamic-provider process by the plugin shim that
 * scripts/bootstrap.sh installs next to `pulumi`. That process requires `@pulumi/pulumi/runtime`,
 * whose index also loads the closure serializer (which loads TypeScript, 9 MB) and the code-path
 * computation (npm's arborist): 0.5 s of CPU on every `pulumi up` and `preview`, for functions the
 * provider host never calls. For exactly those two requires of runtime/index.js, this hands out an
 * object that loads the real module on first use: the named functions forward to it, and any other
 * property access loads it at once — so nothing can behave differently, it can only be slower.
 */
"use strict";
const Module = require("module");

const DEFERRED = {
  "./closure/serializeClosure": ["serializeFunctionAsync", "serializeFunction"],
  "./closure/codePaths": ["computeCodePaths"],
};
const RUNTIME_INDEX = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]index\.js$/;

const load = Module._load;
Module._load = function deferringLoad(request, parent, isMain) {
  const functions = DEFERRED[request];
  if (!functions || !parent || !RUNTIME_INDEX.test(parent.filename ?? "")) return load.apply(this, arguments);
  let real;
  const get = () => (real ??= load.call(Module, request, parent, isMain));
  const forwarders = Object.fromEntries(functions.map((name) => [name, (...args) => get()[name](...args)]));
  return new Proxy(
    {},
    {
      get: (_, key) => (Object.prototype.hasOwnProperty.call(forwarders, key) ? forwarders[key] : get()[key]),
      has: (_, key) => key in get(),
      ownKeys: () => Reflect.ownKeys(get()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(get(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
};
