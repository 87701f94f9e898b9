import { describe, expect, test } from "bun:test";
import { decideServerRequest } from "../../../../src/agents/codex/approvals.ts";
import { errorKindOf, verdictOf } from "../../../../src/agents/codex/parse.ts";

describe("codex turn verdicts", () => {
  test("completed, interrupted, failed with and without error, other statuses", () => {
    expect(verdictOf({ status: "completed" })).toEqual({ type: "turn_completed", message: "turn completed" });
    expect(verdictOf({ status: "interrupted" })).toEqual({
      type: "turn_cancelled",
      message: "turn interrupted",
    });
    const failed = verdictOf({
      status: "failed",
      error: {
        message: "unexpected status 401 Unauthorized",
        codexErrorInfo: { httpConnectionFailed: { httpStatusCode: 401 } },
        additionalDetails: "url: x",
      },
    });
    expect(failed.type).toBe("turn_failed");
    expect(failed.message).toBe("unexpected status 401 Unauthorized");
    expect(failed.error?.kind).toBe("response_error");
    expect(failed.error?.toString()).toBe(
      "agent: response_error: unexpected status 401 Unauthorized: url: x",
    );
    expect(verdictOf({ status: "failed" })).toEqual({ type: "turn_failed", message: "turn failed" });
    expect(verdictOf({ status: "weird" })).toEqual({ type: "turn_failed", message: "turn weird" });
  });

  test("codexErrorInfo maps to error kinds in either spelling; auth HTTP statuses are response_error", () => {
    expect(errorKindOf("Unauthorized")).toBe("response_error");
    expect(errorKindOf("unauthorized")).toBe("response_error");
    expect(errorKindOf("BadRequest")).toBe("response_error");
    expect(errorKindOf("badRequest")).toBe("response_error");
    for (const other of [
      "ContextWindowExceeded",
      "contextWindowExceeded",
      "UsageLimitExceeded",
      "SandboxError",
      "InternalServerError",
      "Other",
      "somethingNew",
      null,
      undefined,
    ]) {
      expect(errorKindOf(other)).toBe("turn_failed");
    }
    expect(errorKindOf({ responseStreamDisconnected: { httpStatusCode: 403 } })).toBe("response_error");
    expect(errorKindOf({ httpConnectionFailed: { httpStatusCode: 502 } })).toBe("turn_failed");
    expect(errorKindOf({ responseTooManyFailedAttempts: { httpStatusCode: null } })).toBe("turn_failed");
  });
});

describe("codex server request decisions", () => {
  test("approvals prefer acceptForSession when offered or when nothing is listed", () => {
    expect(decideServerRequest("item/commandExecution/requestApproval", { command: "ls" })).toMatchObject({
      kind: "approve",
      result: { decision: "acceptForSession" },
      message: "approved command: ls",
    });
    expect(
      decideServerRequest("item/fileChange/requestApproval", {
        availableDecisions: ["accept", "acceptForSession"],
      }),
    ).toMatchObject({ result: { decision: "acceptForSession" } });
    expect(decideServerRequest("applyPatchApproval", {})).toMatchObject({
      kind: "approve",
      result: { decision: "approved_for_session" },
    });
  });

  test("user input is input_required, elicitations are declined, anything else unsupported", () => {
    expect(decideServerRequest("item/tool/requestUserInput", { questions: [] })).toEqual({
      kind: "input_required",
      message: "agent asked for user input",
    });
    expect(decideServerRequest("mcpServer/elicitation/request", {}).kind).toBe("decline");
    expect(decideServerRequest("account/chatgptAuthTokens/refresh", {}).kind).toBe("unsupported");
  });
});
