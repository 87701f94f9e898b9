import { describe, expect, test } from "bun:test";
import {
  codexSettings,
  toCamelSandbox,
  toKebabSandbox,
  turnSandboxPolicy,
} from "../../../../src/agents/codex/settings.ts";

describe("codex settings", () => {
  test("defaults: approval never, workspace-write sandbox, nothing else set", () => {
    expect(codexSettings({})).toEqual({
      model: "",
      effort: "",
      approvalPolicy: "never",
      threadSandbox: "workspace-write",
      turnSandboxPolicy: undefined,
      personality: "",
      skipGitRepoCheck: false,
      envPassthrough: [],
    });
  });

  test("values of the wrong type fall back to the defaults (a map approval policy is ignored)", () => {
    const s = codexSettings({
      approval_policy: { granular: {} },
      thread_sandbox: 3,
      turn_sandbox_policy: "x",
      skip_git_repo_check: "true",
      env_passthrough: ["SORTIE_A", 1],
    });
    expect(s.approvalPolicy).toBe("never");
    expect(s.threadSandbox).toBe("workspace-write");
    expect(s.turnSandboxPolicy).toBeUndefined();
    expect(s.skipGitRepoCheck).toBe(false);
    expect(s.envPassthrough).toEqual(["SORTIE_A"]);
  });

  test("sandbox names translate both ways and unknown names pass through", () => {
    expect(toKebabSandbox("workspaceWrite")).toBe("workspace-write");
    expect(toKebabSandbox("readOnly")).toBe("read-only");
    expect(toKebabSandbox("dangerFullAccess")).toBe("danger-full-access");
    expect(toKebabSandbox("externalSandbox")).toBe("external-sandbox");
    expect(toKebabSandbox("read-only")).toBe("read-only");
    expect(toCamelSandbox("danger-full-access")).toBe("dangerFullAccess");
    expect(toCamelSandbox("workspaceWrite")).toBe("workspaceWrite");
    expect(toCamelSandbox("future-mode")).toBe("future-mode");
    expect(codexSettings({ thread_sandbox: "dangerFullAccess" }).threadSandbox).toBe("danger-full-access");
  });

  test("the turn sandbox policy writes only to the workspace, without network, and turn_sandbox_policy overrides", () => {
    expect(turnSandboxPolicy(codexSettings({}), "/ws")).toEqual({
      type: "workspaceWrite",
      writableRoots: ["/ws"],
      networkAccess: false,
    });
    expect(turnSandboxPolicy(codexSettings({ thread_sandbox: "danger-full-access" }), "/ws")).toEqual({
      type: "dangerFullAccess",
    });
    expect(turnSandboxPolicy(codexSettings({ thread_sandbox: "read-only" }), "/ws")).toEqual({
      type: "readOnly",
      networkAccess: false,
    });
    expect(
      turnSandboxPolicy(
        codexSettings({ turn_sandbox_policy: { networkAccess: true, writableRoots: ["/ws", "/cache"] } }),
        "/ws",
      ),
    ).toEqual({ type: "workspaceWrite", writableRoots: ["/ws", "/cache"], networkAccess: true });
  });
});
