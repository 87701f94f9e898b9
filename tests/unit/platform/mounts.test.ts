import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOnReadOnlyMount } from "../../../src/platform/mounts.ts";

const TABLE = [
  "22 1 0:21 / / rw,relatime - overlay overlay rw",
  "30 22 0:25 / /home/sortie/config ro,relatime - tmpfs tmpfs rw",
  "31 22 0:26 / /home/sortie/data rw,relatime - ext4 /dev/sdb rw",
  "32 22 0:27 / /mnt/with\\040space ro - tmpfs tmpfs rw",
  "33 22 0:28 / /stacked ro - tmpfs tmpfs rw",
  "34 22 0:29 / /stacked rw - tmpfs tmpfs rw",
].join("\n");

describe("isOnReadOnlyMount", () => {
  test("uses the longest mount point that holds the path, read-only or not", () => {
    expect(isOnReadOnlyMount("/home/sortie/config/.sortie.db", TABLE)).toBeTrue();
    expect(isOnReadOnlyMount("/home/sortie/config", TABLE)).toBeTrue();
    expect(isOnReadOnlyMount("/home/sortie/data/.sortie.db", TABLE)).toBeFalse();
    expect(isOnReadOnlyMount("/home/sortie/configuration", TABLE)).toBeFalse();
    expect(isOnReadOnlyMount("/etc/passwd", TABLE)).toBeFalse();
  });

  test("decodes escaped mount points and lets a later mount at the same point win", () => {
    expect(isOnReadOnlyMount("/mnt/with space/file", TABLE)).toBeTrue();
    expect(isOnReadOnlyMount("/stacked/file", TABLE)).toBeFalse();
  });

  test("resolves symlinks to the real directory first (a ConfigMap's ..data link)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sortie-mounts-"));
    try {
      const table = `1 0 0:1 / / rw - ext4 /dev/sda rw\n2 1 0:2 / ${dir} ro - tmpfs tmpfs rw`;
      expect(isOnReadOnlyMount(join(dir, "missing/child"), table)).toBeTrue();
      expect(isOnReadOnlyMount(tmpdir(), table)).toBeFalse();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
