// Parses the `--output-format json` lines of one Copilot CLI turn into normalized events and keeps
// the turn's state: the final `result` line (session id, exit code, accounting), the model, and
// the tool calls in flight. The stream carries no token counts; only older CLIs put
// `outputTokens` on assistant messages, and those are used when present.
import type { Logger } from "@logtape/logtape";
import type { TokenUsage } from "../../domain/agent.ts";
import type { Emit } from "../events.ts";
import { ToolTracker } from "../process/tool-tracker.ts";
import { addUsage, emptyUsage, tokenCount } from "../process/usage.ts";
import { type Json, obj, parseJsonObject, str } from "../stream-json.ts";
import { truncateRunes } from "../truncate.ts";
import type { CopilotAccounting } from "./accounting.ts";

/** The fields of the final `result` line the adapter decides on. */
export interface CopilotResult {
  sessionId: string;
  /** null when the line carries no integer exit code (treated as a failure). */
  exitCode: number | null;
  /** Premium requests of the CLI session so far (the CLI's accounting is per session). */
  premiumRequests: number | null;
  /** API time of the CLI session so far. */
  totalApiDurationMs: number;
}

export interface CopilotStreamParserOptions {
  emit: Emit;
  /** Token usage of the session's earlier turns; events carry base + turn. */
  base: TokenUsage;
  /** The session's premium-request and API-time bookkeeping; `result` lines update it. */
  accounting: CopilotAccounting;
  logger: Logger;
}

/** Streaming progress that only proves the agent is alive (stall-timer heartbeats). */
const HEARTBEAT_TYPES: ReadonlySet<string> = new Set([
  "assistant.message_delta",
  "assistant.message_start",
  "assistant.reasoning_delta",
  "assistant.tool_call_delta",
  "tool.shell_output",
  "tool.execution_partial_result",
  "model.call_start",
  "model.call_finished",
  "model.call_final_result",
  "session.background_tasks_changed",
]);

/** Session bookkeeping with nothing to report. */
const QUIET_TYPES: ReadonlySet<string> = new Set([
  "session.mcp_server_status_changed",
  "session.mcp_servers_loaded",
  "session.tools_updated",
  "session.skills_loaded",
  "session.mode_notice_delivered",
  "user.message",
  "assistant.idle",
]);

export class CopilotStreamParser {
  model = "";
  /** The last `result` line: the turn's terminal candidate. */
  result: CopilotResult | undefined;
  /** Lines that parsed as JSON objects. */
  jsonLines = 0;
  /** `assistant.message` lines: one per model response. */
  assistantMessages = 0;
  /** API time this turn spent, known once the `result` line arrived. */
  apiDurationMs = 0;
  /** The last `session.error` message (e.g. the provider rejected the API key). */
  lastError: string | undefined;

  readonly #emit: Emit;
  readonly #base: TokenUsage;
  readonly #accounting: CopilotAccounting;
  readonly #logger: Logger;
  readonly #tools = new ToolTracker();
  #outputTokens: number | null = null;
  /** Model responses already covered by a `token_usage` event. */
  #reportedRequests = 0;

  constructor(options: CopilotStreamParserOptions) {
    this.#emit = options.emit;
    this.#base = options.base;
    this.#accounting = options.accounting;
    this.#logger = options.logger;
  }

  /** The turn's own usage: only output tokens, and only from CLIs that report them. */
  turnUsage(): TokenUsage {
    const usage = emptyUsage();
    usage.outputTokens = this.#outputTokens;
    if (this.#outputTokens !== null) usage.totalTokens = this.#outputTokens;
    return usage;
  }

  /** Session-cumulative usage as of now, premium requests included once the CLI reported them. */
  sessionUsage(): TokenUsage {
    const usage = addUsage(this.#base, this.turnUsage());
    delete usage.premiumRequests;
    const premium = this.#accounting.premiumRequests();
    if (premium !== undefined) usage.premiumRequests = premium;
    return usage;
  }

  handleLine(line: string): void {
    const msg = parseJsonObject(line);
    if (msg === undefined) {
      this.#emit("malformed", { message: truncateRunes(line, 500) });
      return;
    }
    this.jsonLines++;
    const type = str(msg.type);
    if (type === "result") {
      this.#result(msg);
      return;
    }
    if (HEARTBEAT_TYPES.has(type)) {
      this.#emit("notification", { message: "" });
      return;
    }
    if (QUIET_TYPES.has(type)) {
      const model = str(obj(msg.data).model);
      if (type === "session.tools_updated" && model !== "") this.model = model;
      this.#logger.debug("copilot event", { event_type: type });
      return;
    }
    const data = obj(msg.data);
    switch (type) {
      case "assistant.message":
        this.#assistantMessage(msg.data);
        return;
      case "assistant.turn_start":
      case "assistant.turn_end":
        this.#emit("notification", { message: type });
        return;
      case "tool.execution_start": {
        const name = str(data.toolName);
        const id = str(data.toolCallId);
        if (id !== "") this.#tools.begin(id, name);
        this.#emit("notification", { message: `tool started: ${name}` });
        return;
      }
      case "tool.execution_complete": {
        const ended = this.#tools.end(str(data.toolCallId));
        this.#emit("tool_result", {
          toolName: ended?.name || str(data.toolName),
          toolDurationMs: ended?.durationMs ?? 0,
          toolError: data.success !== true,
        });
        return;
      }
      case "session.warning": {
        const text = str(data.message) || "session warning";
        this.#logger.warn("copilot session warning", { message: text });
        this.#emit("notification", { message: text });
        return;
      }
      case "session.error": {
        const text = str(data.message) || "session error";
        this.lastError = text;
        this.#logger.warn("copilot session error", { error_type: str(data.errorType), message: text });
        this.#emit("notification", { message: truncateRunes(text, 500) });
        return;
      }
      case "session.info":
        this.#emit("notification", { message: str(data.message) || "session info" });
        return;
      case "session.task_complete":
        this.#emit("notification", { message: str(data.summary) || "task complete" });
        return;
      default:
        this.#emit("other_message", { message: type });
    }
  }

  #assistantMessage(raw: unknown): void {
    this.assistantMessages++;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      this.#emit("notification", { message: "assistant message" });
      return;
    }
    const data = raw as Json;
    const model = str(data.model);
    if (model !== "") this.model = model;
    const output = tokenCount(data.outputTokens);
    if (output !== null) {
      // Older CLIs: output tokens per message; the input side stays unknown.
      this.#outputTokens = (this.#outputTokens ?? 0) + output;
      this.#reportedRequests++;
      this.#emit("token_usage", {
        usage: this.sessionUsage(),
        requests: 1,
        ...(this.model !== "" ? { model: this.model } : {}),
      });
    }
    this.#emit("notification", { message: summary(data) });
  }

  #result(msg: Json): void {
    const usage = obj(msg.usage);
    const exitCode = typeof msg.exitCode === "number" && Number.isInteger(msg.exitCode) ? msg.exitCode : null;
    this.result = {
      sessionId: str(msg.sessionId),
      exitCode,
      premiumRequests: tokenCount(usage.premiumRequests),
      totalApiDurationMs: tokenCount(usage.totalApiDurationMs) ?? 0,
    };
    this.apiDurationMs = this.#accounting.record(this.result);
    // Tokens stay unknown; the event carries the premium requests and the model requests of this
    // turn that no earlier event counted.
    this.#emit("token_usage", {
      usage: this.sessionUsage(),
      requests: Math.max(0, this.assistantMessages - this.#reportedRequests),
      ...(this.model !== "" ? { model: this.model } : {}),
    });
    this.#reportedRequests = this.assistantMessages;
  }
}

/** True when stderr shows the CLI rejecting a resumed session id it does not know. */
export function stderrShowsStaleSession(lines: readonly string[]): boolean {
  return lines.some((l) => l.includes("No session, task, or name matched"));
}

function summary(data: Json): string {
  const content = str(data.content).trim();
  if (content !== "") return truncateRunes(content, 200);
  const requests = Array.isArray(data.toolRequests) ? data.toolRequests : [];
  if (requests.length > 0) {
    const names = requests.map((r) => str(obj(r).name));
    return `requesting ${requests.length} tool(s): ${names.join(", ")}`;
  }
  return "assistant message";
}
