// Turns the app-server's notifications during one turn into normalized events, and decides how a
// `turn/completed` ends the turn.
import type { Logger } from "@logtape/logtape";
import type { TerminalEventType } from "../../domain/agent.ts";
import { type AgentErrorKind, agentError, type SortieError } from "../../domain/errors.ts";
import type { Emit } from "../events.ts";
import { ToolTracker } from "../process/tool-tracker.ts";
import { type Json, obj, str } from "../stream-json.ts";
import { truncateRunes } from "../truncate.ts";
import { countsOfBreakdown, countsOfLegacyUsage, type ThreadUsage } from "./usage.ts";

/** Item types that are tool calls timed from `item/started` to `item/completed`. */
const TIMED_ITEMS = new Set(["commandExecution", "fileChange", "mcpToolCall"]);

/** Notifications that only say "still working" (streamed text, command output). */
const HEARTBEATS = new Set([
  "item/agentMessage/delta",
  "item/commandExecution/outputDelta",
  "item/fileChange/outputDelta",
  "item/reasoning/textDelta",
  "item/reasoning/summaryTextDelta",
  "item/reasoning/summaryPartAdded",
  "item/plan/delta",
  "item/mcpToolCall/progress",
]);

export interface TurnParserOptions {
  emit: Emit;
  logger: Logger;
  usage: ThreadUsage;
  threadId: string;
  /** 1-based turn number within this session; turn 1 announces the session. */
  turnNumber: number;
  /** Model reported with token usage ("" = unknown). */
  model: string;
  /** Turn ids this session started: usage reports for other turns are history. */
  ownTurnIds: ReadonlySet<string>;
}

export class CodexTurnParser {
  /** The turn's id once `turn/start` answered; undefined before. */
  turnId: string | undefined;
  /** Set once `turn/completed` for this turn arrived. */
  completed: Json | undefined;
  /** The last error the server reported during the turn (e.g. retries of a failing request). */
  lastError = "";

  readonly #o: TurnParserOptions;
  readonly #tools = new ToolTracker();
  /** `turn/completed` carried usage beside `turn` (older app-server builds). */
  #legacyUsage: Json | undefined;

  constructor(options: TurnParserOptions) {
    this.#o = options;
  }

  handleNotification(method: string, params: unknown): void {
    const p = obj(params);
    const emit = this.#o.emit;
    switch (method) {
      case "turn/started":
        if (this.#o.turnNumber === 1) {
          emit("session_started", { sessionId: this.#o.threadId, message: "session started" });
        } else {
          emit("notification", { message: "turn started" });
        }
        return;
      case "item/started":
        this.#itemStarted(obj(p.item));
        return;
      case "item/completed":
        this.#itemCompleted(obj(p.item));
        return;
      case "thread/tokenUsage/updated":
        this.#tokenUsage(p);
        return;
      case "turn/plan/updated":
        emit("notification", { message: "plan updated" });
        return;
      case "turn/diff/updated":
        this.#o.logger.debug("codex turn diff updated", { thread_id: this.#o.threadId });
        return;
      case "turn/completed":
        this.#turnCompleted(p);
        return;
      case "error": {
        const error = obj(p.error);
        const message = str(error.message) || "error";
        if (p.willRetry !== true) this.lastError = message;
        emit("notification", { message: truncateRunes(message, 200) });
        return;
      }
      case "warning":
      case "configWarning":
      case "deprecationNotice":
        emit("notification", { message: truncateRunes(str(p.message) || str(p.summary) || method, 200) });
        return;
      default:
        if (HEARTBEATS.has(method)) emit("notification", { message: "" });
        else emit("other_message", { message: method });
    }
  }

  #itemStarted(item: Json): void {
    const type = str(item.type);
    const id = str(item.id);
    if (TIMED_ITEMS.has(type) && id !== "") this.#tools.begin(id, toolNameOf(item));
    this.#o.emit("notification", { message: truncateRunes(`[${type}] ${id}`, 200) });
  }

  #itemCompleted(item: Json): void {
    const type = str(item.type);
    const ended = this.#tools.end(str(item.id));
    if (ended !== undefined) {
      const failed = toolFailed(item);
      this.#o.emit("tool_result", {
        toolName: ended.name,
        toolDurationMs: ended.durationMs,
        toolError: failed,
        message: failed ? toolFailureText(item) : truncateRunes(`tool_result: ${ended.name}`, 200),
      });
      return;
    }
    if (type === "agentMessage" && typeof item.text === "string" && item.text !== "") {
      this.#o.emit("notification", { message: truncateRunes(item.text, 200) });
    }
  }

  #tokenUsage(p: Json): void {
    const tokenUsage = obj(p.tokenUsage);
    const total = countsOfBreakdown(tokenUsage.total);
    if (total === undefined) return;
    const turnId = str(p.turnId);
    if (turnId !== "" && !this.#o.ownTurnIds.has(turnId)) {
      // A repeat of an earlier run's totals (sent after `thread/resume`): history, not new work.
      this.#o.usage.noteEarlierTotals(total);
      return;
    }
    this.#report(this.#o.usage.update(total, countsOfBreakdown(tokenUsage.last)));
  }

  #turnCompleted(p: Json): void {
    const turn = obj(p.turn);
    const id = str(turn.id);
    if (this.turnId !== undefined && id !== "" && id !== this.turnId) {
      this.#o.logger.debug("codex completion of another turn ignored", { turn_id: id });
      return;
    }
    if (typeof p.usage === "object" && p.usage !== null) this.#legacyUsage = p.usage as Json;
    this.completed = turn;
  }

  /** Applies the usage that came with `turn/completed` (older builds), if any. */
  applyLegacyUsage(): void {
    const counts = countsOfLegacyUsage(this.#legacyUsage);
    if (counts !== undefined) this.#report(this.#o.usage.update(counts, undefined));
  }

  #report(usage: ReturnType<ThreadUsage["update"]>): void {
    if (usage === undefined) return;
    this.#o.emit("token_usage", {
      usage,
      requests: 1,
      ...(this.#o.model !== "" ? { model: this.#o.model } : {}),
    });
  }
}

export interface TurnVerdict {
  type: TerminalEventType;
  message: string;
  error?: SortieError;
}

/** How a `turn/completed` turn object ends the turn. */
export function verdictOf(turn: Json): TurnVerdict {
  const status = str(turn.status);
  if (status === "completed") return { type: "turn_completed", message: "turn completed" };
  if (status === "interrupted") return { type: "turn_cancelled", message: "turn interrupted" };
  const error = typeof turn.error === "object" && turn.error !== null ? (turn.error as Json) : undefined;
  if (status === "failed" && error !== undefined) {
    const message = str(error.message) || "turn failed";
    const details = str(error.additionalDetails);
    return {
      type: "turn_failed",
      message,
      error: agentError(
        errorKindOf(error.codexErrorInfo),
        message,
        details !== "" ? new Error(details) : undefined,
      ),
    };
  }
  return { type: "turn_failed", message: `turn ${status || "ended without status"}` };
}

/**
 * `codexErrorInfo` → error kind. The server spells it in camelCase (older builds in PascalCase)
 * and wraps HTTP failures in an object carrying the status: a 401/403 is an authentication
 * problem, not a flaky connection.
 */
export function errorKindOf(info: unknown): AgentErrorKind {
  let name = "";
  let httpStatus: number | undefined;
  if (typeof info === "string") name = info;
  else if (typeof info === "object" && info !== null) {
    const [key, value] = Object.entries(info as Json)[0] ?? [];
    name = key ?? "";
    const status = obj(value).httpStatusCode;
    if (typeof status === "number") httpStatus = status;
  }
  const lower = name.toLowerCase();
  if (lower === "unauthorized" || lower === "badrequest") return "response_error";
  if (httpStatus === 401 || httpStatus === 403) return "response_error";
  return "turn_failed";
}

function toolNameOf(item: Json): string {
  if (str(item.type) === "mcpToolCall") {
    const server = str(item.server);
    const tool = str(item.tool);
    if (tool !== "") return server !== "" ? `${server}/${tool}` : tool;
  }
  return str(item.command) || str(item.type);
}

function toolFailed(item: Json): boolean {
  const status = str(item.status);
  if (status === "failed" || status === "declined") return true;
  return typeof item.exitCode === "number" && item.exitCode !== 0;
}

function toolFailureText(item: Json): string {
  const output = str(item.aggregatedOutput).trim();
  const exit = typeof item.exitCode === "number" ? `exit code ${item.exitCode}` : str(item.status);
  const error = str(obj(item.error).message);
  return truncateRunes([exit, error, output].filter((s) => s !== "").join(": "), 500);
}
