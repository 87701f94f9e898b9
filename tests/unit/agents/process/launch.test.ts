import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveLaunchTarget, verifyWorkspace } from "../../../../src/agents/process/launch.ts";
import { thrownSortieError } from "../../../helpers/sortie-error.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sortie-launch-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("verifyWorkspace", () => {
  test("returns the absolute directory", () => {
    expect(verifyWorkspace(dir)).toBe(dir);
  });

  test.each([
    ["", "empty workspace path"],
    ["/definitely/not/here", "workspace path does not exist"],
  ])("rejects %p with invalid_workspace_cwd", (path, message) => {
    const err = thrownSortieError(() => verifyWorkspace(path));
    expect(err.kind).toBe("invalid_workspace_cwd");
    expect(err.message).toBe(message);
  });

  test("rejects a file", () => {
    const file = join(dir, "f");
    writeFileSync(file, "");
    const err = thrownSortieError(() => verifyWorkspace(file));
    expect(err.kind).toBe("invalid_workspace_cwd");
    expect(err.message).toBe("workspace path is not a directory");
  });
});

describe("resolveLaunchTarget", () => {
  test("resolves the first token on PATH and keeps the rest as leading args", () => {
    const exe = join(dir, "agent-x");
    writeFileSync(exe, "#!/bin/sh\n");
    chmodSync(exe, 0o755);
    expect(resolveLaunchTarget("agent-x  app-server --flag", "unused", dir)).toEqual({
      executable: exe,
      leadingArgs: ["app-server", "--flag"],
    });
  });

  test("uses the default command when none is configured", () => {
    const exe = join(dir, "claude");
    writeFileSync(exe, "#!/bin/sh\n");
    chmodSync(exe, 0o755);
    expect(resolveLaunchTarget("", "claude", dir).executable).toBe(exe);
  });

  test("reports a whitespace-only command", () => {
    const err = thrownSortieError(() => resolveLaunchTarget("   ", "claude", dir));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe("agent command is empty or whitespace-only");
  });

  test("reports a command missing from PATH", () => {
    const err = thrownSortieError(() => resolveLaunchTarget("no-such-agent", "", dir));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe('agent command "no-such-agent" not found');
  });

  test("reports a path that does not exist and one that is not executable", () => {
    expect(thrownSortieError(() => resolveLaunchTarget(join(dir, "missing"), "", "")).message).toContain(
      "not found",
    );
    const plain = join(dir, "plain");
    writeFileSync(plain, "");
    chmodSync(plain, 0o644);
    const err = thrownSortieError(() => resolveLaunchTarget(plain, "", ""));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe(`agent command "${plain}" is not executable`);
  });
});
