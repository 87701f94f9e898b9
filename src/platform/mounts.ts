// Whether a path lies on a read-only mount. access(2) reports EACCES before EROFS, so a root-owned
// directory on a read-only mount (a ConfigMap volume without fsGroup, a `:ro` bind mount) looks
// like a permission problem; the mount table tells the real reason. Linux only; elsewhere false.
import { readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** `\040`-style octal escapes in /proc/self/mountinfo paths. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * True when the mount holding `path` (or its nearest existing ancestor) is mounted read-only.
 * `mountinfo` is the text of /proc/self/mountinfo; tests pass their own.
 */
export function isOnReadOnlyMount(path: string, mountinfo?: string): boolean {
  let table = mountinfo;
  if (table === undefined) {
    try {
      table = readFileSync("/proc/self/mountinfo", "utf8");
    } catch {
      return false;
    }
  }
  // Symlinks resolved (a ConfigMap's ..data link) on the nearest existing ancestor; the missing rest
  // of the path is kept as written.
  let existing = resolve(path);
  let rest = "";
  let target: string | undefined;
  while (target === undefined) {
    try {
      target = join(realpathSync(existing), rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return false;
      rest = join(basename(existing), rest);
      existing = parent;
    }
  }
  // The last matching line wins: later mounts stack on top of earlier ones at the same point.
  let best: { point: string; readOnly: boolean } | undefined;
  for (const line of table.split("\n")) {
    const fields = line.split(" ");
    if (fields.length < 6) continue;
    const point = unescapeOctal(fields[4]!);
    const inside = point === "/" || target === point || target.startsWith(`${point}/`);
    if (!inside || (best && point.length < best.point.length)) continue;
    best = { point, readOnly: fields[5]!.split(",").includes("ro") };
  }
  return best?.readOnly ?? false;
}
