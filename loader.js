/**
 * Runs ccr-dr's TypeScript without ts-node, for the two processes of a `pulumi up` that execute
 * it: the program (program.js, Pulumi.yaml's `main`) and the dynamic providers (their
 * `__provider` code calls {@link provider} in the program directory, see
 * providers/shared/providerCode.ts).
 *
 * `register()` compiles each of the repository's `.ts` modules when it is required, with
 * TypeScript's own transpiler and the project's tsconfig (type checking is `npm test`'s
 * `tsc --noEmit`), and caches the JavaScript under `.ccr-dr/cache/js`, in a file named by a hash of
 * the module's path, its source text and the compile options. Nothing can be stale: an edited
 * module has a new hash and is compiled again; an unchanged one is read back — no TypeScript
 * compiler is loaded at all then.
 *
 * `node loader.js --warm` (run by scripts/bootstrap.sh) compiles whatever is missing ahead of the
 * first `pulumi up` and drops cache entries of older sources; it takes a fraction of a second when
 * nothing changed. Cache files are written atomically (temp file + rename), so concurrent runs never
 * read half a file; when the folder cannot be written, modules are compiled in memory.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** The repository (this file's real location: staged copies of the program link to it). */
const ROOT = __dirname;
/** Where compiled modules are cached (git-ignored). */
const CACHE_DIR = path.join(ROOT, ".ccr-dr", "cache", "js");
/** What `--warm` compiles: the program's sources (the entry point and the folders it imports from). */
const PROGRAM_SOURCES = ["index.ts", "stack", "es", "providers"];
/** Bump when the way this file compiles or names cache entries changes. */
const LOADER_VERSION = 1;

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

let memo;
/**
 * The compile options (tsconfig's, with an inline source map) and their identity, which also
 * covers the TypeScript and loader versions.
 */
function compiler() {
  if (!memo) {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    const { sourceMap: _external, ...compilerOptions } = tsconfig.compilerOptions;
    const options = { ...compilerOptions, inlineSourceMap: true };
    const tsVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [ROOT] }), "utf8")).version;
    memo = { options, id: sha256(JSON.stringify({ LOADER_VERSION, tsVersion, options })) };
  }
  return memo;
}

/** Writes `text` to `file` atomically; false when the cache cannot be written (read-only checkout). */
function writeAtomic(file, text) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}

/** Cache file of the compiled `source` of the module at `rel` (relative to the repository). */
const cacheFile = (rel, source) => path.join(CACHE_DIR, `${sha256(`${compiler().id}\0${rel}\0${source}`)}.js`);

/** JavaScript for the TypeScript `source` of `filename`: from the cache, or compiled (and cached). */
function compile(source, filename) {
  const file = cacheFile(path.relative(ROOT, filename), source);
  try {
    return { code: fs.readFileSync(file, "utf8"), cached: true };
  } catch {
    // not compiled yet
  }
  const ts = require(require.resolve("typescript", { paths: [ROOT] }));
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: ts.convertCompilerOptionsFromJson(compiler().options, ROOT).options,
    reportDiagnostics: false,
  });
  writeAtomic(file, outputText);
  return { code: outputText, cached: false };
}

let registered = false;
/**
 * Compiles the repository's `.ts` modules on `require` (files outside it, or in node_modules, are
 * left to whatever handled them before). Stack traces, and the source positions Pulumi records for
 * each resource, point into the TypeScript sources as under ts-node: the inline source maps are
 * handed to the source-map-support that Pulumi's runners install, and read only when a trace is
 * formatted. Idempotent.
 */
function register() {
  if (registered) return;
  registered = true;
  const previous = require.extensions[".ts"];
  const ours = (f) => f.startsWith(ROOT + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`);
  const compiled = new Map();
  require.extensions[".ts"] = function loadTypeScript(module, filename) {
    if (!ours(filename)) {
      if (previous) return previous(module, filename);
      throw new Error(`cannot load ${filename}: loader.js compiles only ccr-dr's own TypeScript modules`);
    }
    const { code } = compile(fs.readFileSync(filename, "utf8"), filename);
    compiled.set(filename, code);
    module._compile(code, filename);
  };
  try {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
    const sms = require(require.resolve("source-map-support", { paths: [pulumiDir] }));
    sms.install({ retrieveFile: (file) => compiled.get(file) ?? null, handleUncaughtExceptions: false, environment: "node" });
  } catch {
    // Without source-map-support, traces show positions in the compiled JavaScript.
  }
}

/** Every `.ts` source file of the program, sorted, relative to the repository. */
function programSources() {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(ROOT, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const e of fs.readdirSync(abs).sort()) walk(path.join(rel, e));
    } else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) {
      out.push(rel);
    }
  };
  for (const r of PROGRAM_SOURCES) if (fs.existsSync(path.join(ROOT, r))) walk(r);
  return out;
}

/** `--warm`: compiles every program source missing from the cache and drops old entries of other sources. */
function warm() {
  const started = Date.now();
  let compiled = 0;
  const keep = new Set();
  for (const rel of programSources()) {
    const source = fs.readFileSync(path.join(ROOT, rel), "utf8");
    if (!compile(source, path.join(ROOT, rel)).cached) compiled++;
    keep.add(path.basename(cacheFile(rel, source)));
  }
  let dropped = 0;
  let names = [];
  try {
    names = fs.readdirSync(CACHE_DIR);
  } catch {
    // no cache yet
  }
  // Other processes may have cached modules outside the program (CLI, tests): only program-sized
  // churn matters, so entries are kept unless older than a day and not current.
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const n of names) {
    const f = path.join(CACHE_DIR, n);
    if (keep.has(n)) continue;
    try {
      if (fs.statSync(f).mtimeMs < dayAgo) {
        fs.rmSync(f, { force: true });
        dropped++;
      }
    } catch {
      // removed concurrently
    }
  }
  return { compiled, dropped, seconds: (Date.now() - started) / 1000 };
}

/**
 * The dynamic provider object of the kind `name` (providers/registry.ts), for the `__provider` code
 * of the resources (providers/shared/providerCode.ts). The registry names the module that
 * implements the kind; it is required here, in the provider process, on first use — never by the
 * program. State written before the registry calls `provider(file, exportName)` with the provider's
 * old file: the registry's frozen legacy map turns that into the kind, so moving a provider's files
 * never breaks the delete (failover) of an older stack. Errors say what to fix, since the engine
 * shows them as the failure of a step.
 */
function provider(name, legacyExportName) {
  let registry;
  try {
    register();
    registry = require(path.join(ROOT, "providers", "registry.ts"));
  } catch (e) {
    throw new Error(`ccr-dr: cannot load the provider registry from ${ROOT}: ${e && e.message}. Pulumi runs the providers in the program directory: run it from a ccr-dr checkout with its dependencies installed (npm run bootstrap).`);
  }
  const kind = registry.providerKind(legacyExportName === undefined ? name : registry.legacyProviderName(name, legacyExportName));
  let mod;
  try {
    mod = require(path.join(ROOT, kind.implementation));
  } catch (e) {
    throw new Error(`ccr-dr: cannot load the provider ${kind.implementation} from ${ROOT}: ${e && e.message}. Pulumi runs the providers in the program directory: run it from a ccr-dr checkout with its dependencies installed (npm run bootstrap).`);
  }
  const p = mod[kind.exportName];
  if (!p) throw new Error(`ccr-dr: ${kind.implementation} in ${ROOT} exports no ${kind.exportName} (providers/registry.ts names it): this checkout is broken.`);
  // The providers require the Elasticsearch client on their first call (es/connection.ts);
  // loading it now, while the engine is still busy with the program, keeps those 0.2 s of CPU off
  // the first step — in a failover, the first promotion.
  setImmediate(() => {
    try {
      require(require.resolve("@elastic/elasticsearch", { paths: [ROOT] }));
    } catch {
      // the first call reports it
    }
  });
  return p;
}

module.exports = { register, provider, warm, ROOT };

if (require.main === module) {
  if (process.argv[2] !== "--warm") {
    console.error("usage: node loader.js --warm   (compiles the program's TypeScript into .ccr-dr/cache)");
    process.exit(2);
  }
  let r;
  try {
    r = warm();
  } catch (e) {
    console.error(`program cache: ${e && e.message ? e.message : e}`);
    process.exit(1);
  }
  // Quiet when nothing changed (bootstrap runs this before every `npm test` and `npm start`).
  if (r.compiled > 0 || r.dropped > 0) {
    console.log(`program cache: ${r.compiled} module(s) compiled, ${r.dropped} old entr${r.dropped === 1 ? "y" : "ies"} dropped (${r.seconds.toFixed(1)} s)`);
  }
}
