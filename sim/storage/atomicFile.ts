/**
 * Durable whole-file replacement: write a uniquely named temp file beside the target, fsync it,
 * rename it over the target, fsync the directory (npm/write-file-atomic, minus its lack of a
 * directory fsync). A reader therefore sees the old file or the new one, never a mix.
 */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Fsyncs a directory so a rename or create inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, "r");
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Atomically replaces `path` with `data` (parts are written one after the other, never concatenated in memory). */
export async function writeFileAtomic(path: string, data: Buffer | string | Buffer[]): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = await open(tmp, "w");
  try {
    if (Array.isArray(data)) {
      for (const part of data) {
        for (let at = 0; at < part.length;) at += (await fd.write(part, at, part.length - at)).bytesWritten;
      }
    } else {
      await fd.writeFile(data);
    }
    await fd.sync();
  } catch (e) {
    await fd.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fd.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
}
