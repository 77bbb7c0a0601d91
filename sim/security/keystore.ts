/**
 * es-sim's secure settings store, the counterpart of ES's `elasticsearch.keystore`: a file
 * `<path.data>/.es-sim.keystore` (mode 0600, JSON, **not encrypted** — es-sim rehearses the
 * workflow, it does not protect secrets at rest) managed by `bin/es-sim keystore add|remove|list`
 * and read at start-up and on `POST /_nodes/reload_secure_settings`, as ES reads its keystore.
 * The only secure settings es-sim knows are `cluster.remote.<alias>.credentials` (the encoded
 * cross-cluster API key the follower presents to the remote cluster).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** File name of the keystore in `path.data` (a dot file: the data-dir check ignores it). */
export const KEYSTORE_FILE = ".es-sim.keystore";
const CREDENTIALS_RE = /^cluster\.remote\.([^.]+)\.credentials$/;

/** Whether `key` is a secure setting es-sim knows. */
export function isSecureSetting(key: string): boolean {
  return CREDENTIALS_RE.test(key);
}

/** The keystore path of a data dir. */
export function keystorePath(dataDir: string): string {
  return join(dataDir, KEYSTORE_FILE);
}

/** Reads the keystore's settings (none when the file does not exist). */
export function readKeystore(dataDir: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(keystorePath(dataDir), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  const parsed = JSON.parse(text) as { format?: string; settings?: Record<string, string> };
  if (parsed.format !== "es-sim-keystore" || typeof parsed.settings !== "object" || parsed.settings === null) {
    throw new Error(`[${keystorePath(dataDir)}] is not an es-sim keystore`);
  }
  return parsed.settings;
}

/** Replaces the keystore's settings (atomic rename, mode 0600). */
export function writeKeystore(dataDir: string, settings: Record<string, string>): void {
  mkdirSync(dataDir, { recursive: true });
  const path = keystorePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: "es-sim-keystore", settings }), { mode: 0o600 });
  renameSync(tmp, path);
}

/** `cluster.remote.<alias>.credentials` of the keystore, by alias. */
export function remoteCredentials(settings: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(settings)) {
    const m = CREDENTIALS_RE.exec(k);
    if (m) out.set(m[1]!, v);
  }
  return out;
}
