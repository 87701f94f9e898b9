// Parses the `--output-format stream-json` lines of one Claude Code turn into normalized events
// and keeps the turn's state: session id, model, token usage, and the `result` line that decides
// how the turn ended.
import type { Logger } from "@logtape/logtape";
import type { TokenUsage } from "../../domain/agent.ts";
import type { Emit } from "../events.ts";
import { ToolTracker } from "../process/tool-tracker.ts";
import { addUsage, emptyUsage, tokenCount } from "../process/usage.ts";
import { type Json, num, obj, parseJsonObject, str } from "../stream-json.ts";
import { truncateRunes } from "../truncate.ts";
import { type ContentBlock, handleToolBlocks } from "./tool-blocks.ts";

/** The fields of a `result` line the adapter decides on. */
export interface ClaudeResult {
  subtype: string;
  isError: boolean;
  text: string;
  apiDurationMs: number;
  errors: string[];
}

/** The CLI's answer to `--resume <id>` when it has no such conversation on disk. */
const STALE_SESSION_TEXT = "No conversation found with session ID";
const SYNTHETIC_MODEL = "<synthetic>";

export interface ClaudeStreamParserOptions {
  emit: Emit;
  /** Session usage before this turn; events carry base + turn. */
  base: TokenUsage;
  /** Id the turn was started with; a `system/init` line may replace it. */
  sessionId: string;
  logger: Logger;
}

export class ClaudeStreamParser {
  sessionId: string;
  model = "";
  /** Set once a `system/init` line arrived: the CLI accepted the session. */
  initSeen = false;
  /** The last `result` line: the turn's terminal candidate. */
  result: ClaudeResult | undefined;
  /** The CLI rejected a resumed session id it does not know. */
  staleSession = false;

  readonly #emit: Emit;
  readonly #base: TokenUsage;
  readonly #logger: Logger;
  readonly #tools = new ToolTracker();
  /** Message-start usage per distinct assistant message id: a fallback estimate only. */
  readonly #estimates = new Map<string, TokenUsage>();
  #anonymousMessages = 0;
  #syntheticSeen = false;
  #resultUsage: TokenUsage | undefined;

  constructor(options: ClaudeStreamParserOptions) {
    this.#emit = options.emit;
    this.#base = options.base;
    this.sessionId = options.sessionId;
    this.#logger = options.logger;
  }

  /** True once at least one assistant message was seen. */
  get assistantSeen(): boolean {
    return this.#estimates.size > 0 || this.#syntheticSeen;
  }

  /** Model requests this turn made (distinct assistant message ids). */
  get requests(): number {
    return this.#estimates.size;
  }

  /** The turn's own usage: the `result` totals, else the sum of message-start estimates. */
  turnUsage(): TokenUsage {
    if (this.#resultUsage !== undefined) return { ...this.#resultUsage };
    let sum = emptyUsage();
    for (const estimate of this.#estimates.values()) sum = addUsage(sum, estimate);
    return sum;
  }

  /** Session-cumulative usage as of now. */
  sessionUsage(): TokenUsage {
    return addUsage(this.#base, this.turnUsage());
  }

  handleLine(line: string): void {
    const msg = parseJsonObject(line);
    if (msg === undefined) {
      this.#emit("malformed", { message: truncateRunes(line, 500) });
      return;
    }
    const type = str(msg.type);
    const subtype = str(msg.subtype);
    switch (type) {
      case "system":
        this.#system(msg, subtype);
        return;
      case "assistant":
        this.#assistant(msg);
        return;
      case "user":
        handleToolBlocks(contentOf(msg), this.#tools, this.#emit);
        return;
      case "result":
        this.#result(msg, subtype);
        return;
      case "stream_event":
        // Partial-message deltas: only a heartbeat for the stall watchdog.
        this.#emit("notification", { message: "" });
        return;
      default:
        this.#emit("other_message", { message: subtype !== "" ? `${type}/${subtype}` : type });
    }
  }

  /**
   * When the process ended without a `result` line, reports the message-start estimates once so
   * the run is not recorded as free.
   */
  emitEstimatedUsage(): void {
    if (this.result !== undefined || this.requests === 0) return;
    this.#logger.debug("claude usage estimated without result line", {
      session_id: this.sessionId,
      requests: this.requests,
    });
    this.#emit("token_usage", {
      usage: this.sessionUsage(),
      requests: this.requests,
      ...(this.model !== "" ? { model: this.model } : {}),
    });
  }

  #system(msg: Json, subtype: string): void {
    if (subtype === "init") {
      this.initSeen = true;
      const id = str(msg.session_id);
      if (id !== "") this.sessionId = id;
      this.#emit("session_started", { sessionId: this.sessionId, message: "session started" });
      return;
    }
    if (subtype === "api_retry") {
      this.#emit("notification", {
        message: `API retry attempt ${num(msg.attempt)}/${num(msg.max_retries)} (delay ${num(msg.retry_delay_ms)}ms, status ${num(msg.error_status)}: ${str(msg.error)})`,
      });
      return;
    }
    this.#emit("notification", { message: `system/${subtype}` });
  }

  #assistant(msg: Json): void {
    const message = obj(msg.message);
    const model = str(message.model);
    // "<synthetic>" messages are written by the CLI itself (e.g. an API error it gave up on):
    // no model request, no model.
    if (model !== SYNTHETIC_MODEL) {
      if (model !== "") this.model = model;
      // The CLI repeats a message id on one line per content block; each id is one model request.
      let id = str(message.id);
      if (id === "") id = `anonymous-${++this.#anonymousMessages}`;
      if (!this.#estimates.has(id)) this.#estimates.set(id, usageOf(obj(message.usage)));
    } else {
      this.#syntheticSeen = true;
    }

    const blocks = contentOf(msg);
    handleToolBlocks(blocks, this.#tools, this.#emit);
    this.#emit("notification", { message: summary(blocks) });
  }

  #result(msg: Json, subtype: string): void {
    const errors = Array.isArray(msg.errors)
      ? msg.errors.filter((e): e is string => typeof e === "string")
      : [];
    this.result = {
      subtype,
      isError: msg.is_error === true,
      text: str(msg.result),
      apiDurationMs: Math.max(0, Math.trunc(num(msg.duration_api_ms))),
      errors,
    };
    if (!this.initSeen && errors.some((e) => e.includes(STALE_SESSION_TEXT))) {
      // Nothing ran; the adapter retries with a fresh session, so this line reports nothing.
      this.staleSession = true;
      return;
    }
    const usage =
      typeof msg.usage === "object" && msg.usage !== null ? usageOf(msg.usage as Json) : this.turnUsage();
    usage.costUsd = typeof msg.total_cost_usd === "number" ? msg.total_cost_usd : null;
    this.#resultUsage = usage;
    this.#emit("token_usage", {
      usage: this.sessionUsage(),
      requests: Math.max(1, this.requests),
      ...(this.model !== "" ? { model: this.model } : {}),
      ...(this.result.apiDurationMs > 0 ? { apiDurationMs: this.result.apiDurationMs } : {}),
    });
  }
}

/** True when stderr shows the CLI rejecting a resumed session id. */
export function stderrShowsStaleSession(lines: readonly string[]): boolean {
  return lines.some((l) => l.includes(STALE_SESSION_TEXT));
}

function usageOf(u: Json): TokenUsage {
  const input = tokenCount(u.input_tokens);
  const output = tokenCount(u.output_tokens);
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input === null && output === null ? null : (input ?? 0) + (output ?? 0),
    cacheReadTokens: tokenCount(u.cache_read_input_tokens),
    cacheWriteTokens: tokenCount(u.cache_creation_input_tokens),
    costUsd: null,
  };
}

function summary(blocks: readonly ContentBlock[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if (block.type === "text" && typeof block.text === "string" && block.text !== "") {
      parts.push(truncateRunes(block.text, 200));
    } else if (block.type === "tool_use") {
      parts.push(`[tool: ${str(block.name)}]`);
    } else if (block.type === "tool_result") {
      parts.push(`[tool_result: ${block.is_error === true ? "error" : "ok"}]`);
    }
  }
  return parts.length > 0 ? parts.join(" ") : "assistant message";
}

function contentOf(msg: Json): ContentBlock[] {
  const content = obj(msg.message).content;
  return Array.isArray(content)
    ? content.filter((b): b is ContentBlock => typeof b === "object" && b !== null)
    : [];
}
