/**
 * The one way ccr-dr runs its TypeScript from source: the two processes of a `pulumi up` (the
 * program — program.js, Pulumi.yaml's `main` — and the dynamic providers, whose `__provider` code
 * calls {@link provider} in the program directory, see providers/shared/providerCode.ts), `bin/ccr-dr`,
 * `bin/es-sim`, the bench and scripts (`node -r ./scripts/register.js FILE.ts`), and jest
 * (scripts/jest-transform.js calls {@link transform}).
 *
 * `register()` compiles each of the repository's `.ts` modules when it is required, with esbuild's
 * `transformSync` and settings equivalent to the project's tsconfig (target, CommonJS, strict mode,
 * class-field semantics; type checking is `npm test`'s `tsc --noEmit`), and caches the JavaScript
 * under `.ccr-dr/cache/js`, in a file named by a hash of the module's path, its source text and the
 * compile options. Nothing can be stale: an edited module has a new hash and is compiled again; an
 * unchanged one is read back — no compiler is loaded at all then.
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
const LOADER_VERSION = 2;

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

let memo;
/**
 * esbuild's options, equivalent to the tsconfig's compiler options, and their identity (which also
 * covers the esbuild and loader versions). esbuild reads the options that change the emitted code
 * from `tsconfigRaw`: `strict`/`alwaysStrict` ("use strict"), `useDefineForClassFields` (tsc's
 * default is true from target ES2022: class fields are defined, as `tsc` emits them), and
 * `verbatimModuleSyntax` and friends (which imports are kept).
 */
function compiler() {
  if (!memo) {
    const { compilerOptions: tsc } = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    if (String(tsc.module).toLowerCase() !== "commonjs") {
      throw new Error(`loader.js emits CommonJS; tsconfig.json says module ${tsc.module}`);
    }
    const target = String(tsc.target).toLowerCase();
    const defineFields = target === "esnext" || (/^es(\d+)$/.test(target) && Number(target.slice(2)) >= 2022);
    const pick = [
      "strict",
      "alwaysStrict",
      "experimentalDecorators",
      "verbatimModuleSyntax",
      "preserveValueImports",
      "importsNotUsedAsValues",
    ];
    const compilerOptions = Object.fromEntries(pick.filter((k) => k in tsc).map((k) => [k, tsc[k]]));
    compilerOptions.useDefineForClassFields = tsc.useDefineForClassFields ?? defineFields;
    const options = {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target,
      // As tsc emits for CommonJS: `import()` becomes a `require` (Node's own import() would load
      // the module as ESM, past this loader and jest's module registry).
      supported: { "dynamic-import": false },
      // tsc's `inlineSourceMap`: positions only, the source stays in the .ts file.
      sourcemap: "inline",
      sourcesContent: false,
      tsconfigRaw: { compilerOptions },
    };
    const esbuildVersion = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json", { paths: [ROOT] }), "utf8")).version;
    memo = { options, id: sha256(JSON.stringify({ LOADER_VERSION, esbuildVersion, options })) };
  }
  return memo;
}

/**
 * JavaScript (CommonJS, with an inline source map) for the TypeScript `source` of `filename`,
 * compiled now, no cache: what {@link compile} caches, and what jest's transform uses (jest has its
 * own cache).
 */
function transform(source, filename) {
  const esbuild = require(require.resolve("esbuild", { paths: [ROOT] }));
  // The map names the source relative to the compiled file, as tsc's does, so cache entries do not
  // depend on where the checkout is.
  return esbuild.transformSync(source, { ...compiler().options, sourcefile: path.basename(filename) }).code;
}

/** Identity of what {@link transform} emits for a source (jest's cache key). */
const transformId = () => compiler().id;

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
  const code = transform(source, filename);
  writeAtomic(file, code);
  return { code, cached: false };
}

let registered = false;
/**
 * Compiles the repository's `.ts` modules on `require` (files outside it, or in node_modules, are
 * left to whatever handled them before). Stack traces, and the source positions Pulumi records for
 * each resource, point into the TypeScript sources: the inline source maps are
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
    throw new Error(
      `ccr-dr: cannot load the provider registry from ${ROOT}: ${e && e.message}. Pulumi runs the providers in the program directory: run it from a ccr-dr checkout with its dependencies installed (npm run bootstrap).`,
    );
  }
  const kind = registry.providerKind(legacyExportName === undefined ? name : registry.legacyProviderName(name, legacyExportName));
  let mod;
  try {
    mod = require(path.join(ROOT, kind.implementation));
  } catch (e) {
    throw new Error(
      `ccr-dr: cannot load the provider ${kind.implementation} from ${ROOT}: ${e && e.message}. Pulumi runs the providers in the program directory: run it from a ccr-dr checkout with its dependencies installed (npm run bootstrap).`,
    );
  }
  const p = mod[kind.exportName];
  if (!p)
    throw new Error(
      `ccr-dr: ${kind.implementation} in ${ROOT} exports no ${kind.exportName} (providers/registry.ts names it): this checkout is broken.`,
    );
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

module.exports = { register, provider, warm, compile, transform, transformId, ROOT };

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
    console.log(
      `program cache: ${r.compiled} module(s) compiled, ${r.dropped} old entr${r.dropped === 1 ? "y" : "ies"} dropped (${r.seconds.toFixed(1)} s)`,
    );
  }
}
