// Replacing a file so that readers see the old content or the new, never a mix: write a temp
// file in the same directory, fsync it, rename it over the original.
import { randomUUID } from "node:crypto";
import { open, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `content` to `path` atomically. Through a symlink the link's final target is replaced and
 * the link is kept. The original's permission bits carry over to the new file.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const target = await realpath(path);
  const directory = dirname(target);
  const mode = (await stat(target)).mode & 0o7777;
  const temp = join(directory, `.${basename(target)}.${randomUUID()}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(content, "utf8");
    // The creation mode is narrowed by the umask; restore the original's bits exactly.
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await syncDirectory(directory);
}

/** Makes the rename durable; best-effort, since some filesystems refuse fsync on directories. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The rename itself has happened; durability across a crash is all that is at stake.
  }
}
