// Answers to the questions Codex asks its client mid-turn. sortie runs unattended, so nobody can
// be asked: approvals are granted (the sandbox and approval policy of the thread are the
// operator's controls), MCP elicitations are declined, and a request for user input ends the
// turn as "input required". Every request gets an answer, so a turn never waits forever.
import { type Json, str } from "../stream-json.ts";

export type ServerRequestDecision =
  | { kind: "approve"; result: unknown; message: string }
  | { kind: "decline"; result: unknown; message: string }
  | { kind: "input_required"; message: string }
  | { kind: "unsupported" };

const COMMAND_APPROVAL = "item/commandExecution/requestApproval";
const FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval";
const PERMISSIONS_APPROVAL = "item/permissions/requestApproval";
const LEGACY_EXEC_APPROVAL = "execCommandApproval";
const LEGACY_PATCH_APPROVAL = "applyPatchApproval";
const USER_INPUT = "item/tool/requestUserInput";
const ELICITATION = "mcpServer/elicitation/request";

/** How sortie answers a server request other than `item/tool/call`. */
export function decideServerRequest(method: string, params: unknown): ServerRequestDecision {
  const p = typeof params === "object" && params !== null ? (params as Json) : {};
  switch (method) {
    case COMMAND_APPROVAL:
      return {
        kind: "approve",
        result: { decision: approvalDecision(p.availableDecisions) },
        message: `approved command: ${str(p.command) || str(p.itemId)}`,
      };
    case FILE_CHANGE_APPROVAL:
      return {
        kind: "approve",
        result: { decision: approvalDecision(p.availableDecisions) },
        message: `approved file change: ${str(p.itemId)}`,
      };
    case LEGACY_EXEC_APPROVAL:
      return {
        kind: "approve",
        result: { decision: "approved_for_session" },
        message: `approved command: ${Array.isArray(p.command) ? p.command.join(" ") : str(p.command)}`,
      };
    case LEGACY_PATCH_APPROVAL:
      return {
        kind: "approve",
        result: { decision: "approved_for_session" },
        message: "approved file change",
      };
    case PERMISSIONS_APPROVAL:
      return {
        kind: "approve",
        result: { permissions: grantedPermissions(p.permissions), scope: "turn" },
        message: `approved permissions: ${str(p.reason) || str(p.itemId)}`,
      };
    case ELICITATION:
      return {
        kind: "decline",
        result: { action: "decline", content: null, _meta: null },
        message: "declined MCP server elicitation",
      };
    case USER_INPUT:
      return { kind: "input_required", message: userInputQuestion(p) };
    default:
      return { kind: "unsupported" };
  }
}

/** "Accept for the session" when offered (or when the server lists nothing), else plain "accept". */
function approvalDecision(available: unknown): string {
  if (!Array.isArray(available) || available.length === 0) return "acceptForSession";
  if (available.includes("acceptForSession")) return "acceptForSession";
  return "accept";
}

/** The requested permission profile with its unset parts left out. */
function grantedPermissions(requested: unknown): Json {
  const granted: Json = {};
  if (typeof requested !== "object" || requested === null) return granted;
  for (const [key, value] of Object.entries(requested as Json)) {
    if (value !== null && value !== undefined) granted[key] = value;
  }
  return granted;
}

function userInputQuestion(p: Json): string {
  const questions = Array.isArray(p.questions) ? p.questions : [];
  const texts = questions
    .map((q) =>
      typeof q === "object" && q !== null ? str((q as Json).question) || str((q as Json).header) : "",
    )
    .filter((t) => t !== "");
  return texts.length > 0 ? `agent asked for input: ${texts.join(" / ")}` : "agent asked for user input";
}
