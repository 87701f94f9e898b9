import { describe, expect, test } from "bun:test";
import { WorkspacePathError } from "../../../src/workspace/errors.ts";
import { MAX_KEY_BYTES, sanitizeKey } from "../../../src/workspace/key.ts";

const byteLength = (s: string) => new TextEncoder().encode(s).length;

describe("sanitizeKey", () => {
  test.each([
    ["PROJ-1", "PROJ-1"],
    ["a/b", "a_b"],
    ["../../etc", ".._.._etc"],
    ["owner/repo#12", "owner_repo_12"],
    ["with space", "with_space"],
    ["é", "_"],
    ["café-1", "caf_-1"],
    ["🚀", "_"],
    ["a🚀b", "a_b"],
    ["a.b_c-D9", "a.b_c-D9"],
    ["...", "..."],
    ["a\\b", "a_b"],
    ["a\0b", "a_b"],
  ])("maps %p to %p", (identifier, key) => {
    expect(sanitizeKey(identifier)).toBe(key);
  });

  test.each(["", ".", ".."])("rejects %p with a sanitize path error", (identifier) => {
    let caught: unknown;
    try {
      sanitizeKey(identifier);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WorkspacePathError);
    const err = caught as WorkspacePathError;
    expect(err.kind).toBe("workspace_path_error");
    expect(err.layer).toBe("workspace");
    expect(err.op).toBe("sanitize");
    expect(err.message).toStartWith(`workspace sanitize: root="" identifier=${JSON.stringify(identifier)}: `);
  });

  test("keeps a key of exactly 200 bytes unchanged", () => {
    const id = "x".repeat(MAX_KEY_BYTES);
    expect(sanitizeKey(id)).toBe(id);
  });

  test("shortens long identifiers to a unique key that fits a file name", () => {
    const a = `${"A".repeat(299)}1`;
    const b = `${"A".repeat(299)}2`;
    const ka = sanitizeKey(a);
    const kb = sanitizeKey(b);
    expect(ka).not.toBe(kb);
    expect(byteLength(ka)).toBe(200);
    expect(byteLength(ka)).toBeLessThanOrEqual(255);
    expect(ka).toMatch(/^A{183}-[0-9a-f]{16}$/);
  });

  test("hashes the original identifier, so long keys differing only in replaced characters stay distinct", () => {
    const a = `${"é".repeat(150)}x${"🚀".repeat(100)}`;
    const b = `${"ü".repeat(150)}x${"🚀".repeat(100)}`;
    expect(sanitizeKey(a)).not.toBe(sanitizeKey(b));
    expect(sanitizeKey(a)).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(byteLength(sanitizeKey(a))).toBeLessThanOrEqual(255);
  });

  test("counts astral characters once when deciding whether to shorten", () => {
    // 150 emoji are 150 code points: 150 underscores, below the limit.
    expect(sanitizeKey("🚀".repeat(150))).toBe("_".repeat(150));
  });
});
