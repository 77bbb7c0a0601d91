/**
 * The native realm of es-sim: users, roles and cross-cluster API keys (ES keeps them in the
 * `.security` index; es-sim in `<path.data>/_state/security.json`, replaced atomically on every
 * change, so they survive a restart). Passwords and API key secrets are stored as salted PBKDF2
 * hashes, never in clear. The built-in `elastic` user (password from ELASTIC_PASSWORD) and the
 * built-in `superuser` role are not stored: they are always there, as ES's reserved realm.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../storage/atomicFile";

/** One `indices` (or `remote_indices`) entry of a role. */
export interface IndicesPrivileges {
  names: string[];
  privileges: string[];
  allow_restricted_indices: boolean;
  /** `remote_indices` only: the cluster aliases it applies to. */
  clusters?: string[];
}

/** A role descriptor, as `GET /_security/role` shows it. */
export interface RoleDescriptor {
  cluster: string[];
  indices: IndicesPrivileges[];
  remote_indices?: IndicesPrivileges[];
  applications: unknown[];
  run_as: string[];
  metadata: Record<string, unknown>;
  description?: string;
}

/** A stored native user. */
export interface StoredUser {
  username: string;
  roles: string[];
  full_name: string | null;
  email: string | null;
  metadata: Record<string, unknown>;
  enabled: boolean;
  password_hash: string;
}

/** A cross-cluster API key: `access.replication` / `access.search` index names. */
export interface CrossClusterApiKey {
  id: string;
  name: string;
  creator: string;
  creation: number;
  invalidated: boolean;
  secret_hash: string;
  replication: string[];
  search: string[];
}

interface SecurityFile {
  format: "es-sim-security";
  version: 1;
  users: Record<string, StoredUser>;
  roles: Record<string, RoleDescriptor>;
  cross_cluster_api_keys: Record<string, CrossClusterApiKey>;
}

/** ES's `superuser` role. */
export const SUPERUSER_ROLE: RoleDescriptor = {
  cluster: ["all"],
  indices: [{ names: ["*"], privileges: ["all"], allow_restricted_indices: true }],
  remote_indices: [{ names: ["*"], privileges: ["all"], allow_restricted_indices: true, clusters: ["*"] }],
  applications: [{ application: "*", privileges: ["*"], resources: ["*"] }],
  run_as: ["*"],
  metadata: { _reserved: true },
};

/** Built-in roles (es-sim has only `superuser` of ES's reserved roles). */
export const RESERVED_ROLES: Record<string, RoleDescriptor> = { superuser: SUPERUSER_ROLE };
/** Built-in users (es-sim has only `elastic` of ES's reserved users). */
export const RESERVED_USERS = ["elastic"];

const ITERATIONS = 10_000;

/** A salted PBKDF2-SHA512 hash, `pbkdf2_sha512$<iterations>$<salt>$<hash>`. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(secret, salt, ITERATIONS, 32, "sha512");
  return `pbkdf2_sha512$${ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

function verifyHash(secret: string, stored: string): boolean {
  const [scheme, iter, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2_sha512" || !iter || !salt || !hash) return false;
  const want = Buffer.from(hash, "base64");
  const got = pbkdf2Sync(secret, Buffer.from(salt, "base64"), Number(iter), want.length, "sha512");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The realm. `dataDir` undefined: in memory only (unit tests). */
export class SecurityStore {
  private data: SecurityFile = { format: "es-sim-security", version: 1, users: {}, roles: {}, cross_cluster_api_keys: {} };
  /** Verified (hash, secret digest) pairs: ES caches successful authentications too (realm cache). */
  private readonly verified = new Set<string>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string | undefined,
    private readonly elasticPassword: string | undefined,
  ) {}

  /** Opens (and reads) `<dataDir>/_state/security.json`. */
  static async open(dataDir: string | undefined, elasticPassword: string | undefined): Promise<SecurityStore> {
    const store = new SecurityStore(dataDir ? join(dataDir, "_state", "security.json") : undefined, elasticPassword);
    if (store.path) {
      let text: string | undefined;
      try {
        text = await readFile(store.path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      if (text !== undefined) {
        const parsed = JSON.parse(text) as SecurityFile;
        if (parsed.format !== "es-sim-security" || parsed.version !== 1) {
          throw new Error(`[${store.path}] is not an es-sim security file of version 1`);
        }
        store.data = parsed;
      }
    }
    return store;
  }

  private persist(): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    const text = JSON.stringify(this.data);
    // writes are serialised so an older state never replaces a newer one
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, text);
    });
    return this.writing;
  }

  private check(secret: string, stored: string): boolean {
    const key = `${stored}\u0000${createHash("sha256").update(secret).digest("base64")}`;
    if (this.verified.has(key)) return true;
    if (!verifyHash(secret, stored)) return false;
    this.verified.add(key);
    return true;
  }

  /** The user `username` if `password` is right and the user is enabled. */
  authenticate(username: string, password: string): { username: string; roles: string[]; user?: StoredUser } | undefined {
    if (username === "elastic") {
      if (this.elasticPassword === undefined || password !== this.elasticPassword) return undefined;
      return { username, roles: ["superuser"] };
    }
    const u = this.data.users[username];
    if (!u || !u.enabled || !this.check(password, u.password_hash)) return undefined;
    return { username, roles: [...u.roles], user: u };
  }

  user(name: string): StoredUser | undefined {
    return this.data.users[name];
  }

  users(): StoredUser[] {
    return Object.values(this.data.users);
  }

  /** Creates or updates a user; resolves `created`. A missing password keeps the current one. */
  async putUser(u: Omit<StoredUser, "password_hash"> & { password?: string; password_hash?: string }): Promise<boolean> {
    const old = this.data.users[u.username];
    const hash = u.password_hash ?? (u.password !== undefined ? hashSecret(u.password) : old?.password_hash);
    if (hash === undefined) throw new Error("a new user needs a password");
    const { password: _p, ...rest } = u;
    this.data.users[u.username] = { ...rest, password_hash: hash };
    await this.persist();
    return old === undefined;
  }

  async deleteUser(name: string): Promise<boolean> {
    if (!this.data.users[name]) return false;
    delete this.data.users[name];
    await this.persist();
    return true;
  }

  /** A role by name: reserved first, then native. */
  role(name: string): RoleDescriptor | undefined {
    return RESERVED_ROLES[name] ?? this.data.roles[name];
  }

  roles(): Record<string, RoleDescriptor> {
    return { ...RESERVED_ROLES, ...this.data.roles };
  }

  async putRole(name: string, role: RoleDescriptor): Promise<boolean> {
    const created = this.data.roles[name] === undefined;
    this.data.roles[name] = role;
    await this.persist();
    return created;
  }

  async deleteRole(name: string): Promise<boolean> {
    if (!this.data.roles[name]) return false;
    delete this.data.roles[name];
    await this.persist();
    return true;
  }

  /** Creates a cross-cluster API key; returns it with its secret (shown once, as ES does). */
  async createCrossClusterApiKey(
    name: string,
    creator: string,
    access: { replication: string[]; search: string[] },
  ): Promise<{ id: string; name: string; api_key: string; encoded: string }> {
    const id = randomBytes(15).toString("base64url");
    const secret = randomBytes(16).toString("base64url");
    this.data.cross_cluster_api_keys[id] = {
      id,
      name,
      creator,
      creation: Date.now(),
      invalidated: false,
      secret_hash: hashSecret(secret),
      replication: access.replication,
      search: access.search,
    };
    await this.persist();
    return { id, name, api_key: secret, encoded: Buffer.from(`${id}:${secret}`, "utf8").toString("base64") };
  }

  /** The key an `encoded` credential (base64 of `id:api_key`) stands for, if valid. */
  crossClusterApiKey(encoded: string): CrossClusterApiKey | undefined {
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const sep = decoded.indexOf(":");
    if (sep <= 0) return undefined;
    const key = this.data.cross_cluster_api_keys[decoded.slice(0, sep)];
    if (!key || key.invalidated || !this.check(decoded.slice(sep + 1), key.secret_hash)) return undefined;
    return key;
  }

  /** Invalidates cross-cluster API keys by id; returns the ids invalidated now. */
  async invalidateApiKeys(ids: string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      const k = this.data.cross_cluster_api_keys[id];
      if (k && !k.invalidated) {
        k.invalidated = true;
        done.push(id);
      }
    }
    if (done.length > 0) await this.persist();
    return done;
  }
}
