// Parses the `opencode run --format json` lines of one turn into normalized events and keeps the
// turn's state: the session id every envelope carries, the usage summed over the turn's
// `step_finish` parts (one per model call), and the first `error` envelope. There is no final
// result line: the turn ends when the process exits, and exit code 0 proves nothing.
import type { TokenUsage } from "../../domain/agent.ts";
import type { Emit } from "../events.ts";
import { addUsage, emptyUsage, tokenCount } from "../process/usage.ts";
import { type Json, num, obj, parseJsonObject, str } from "../stream-json.ts";
import { truncateRunes } from "../truncate.ts";

export interface OpenCodeStreamParserOptions {
  emit: Emit;
  /** Session usage (cost included) before this turn; events carry base + turn. */
  base: TokenUsage;
  /** The adapter session's id; "" = adopt the first one the stream names. */
  sessionId: string;
  /** True once `session_started` was emitted for this adapter session. */
  announced: boolean;
  /** Reported with usage when configured (`provider/model`). */
  model: string;
}

export interface SessionMismatch {
  expected: string;
  got: string;
}

const PERMISSION_NOTICE = "! permission requested:";
const KNOWN_TYPES: ReadonlySet<string> = new Set([
  "step_start",
  "text",
  "reasoning",
  "tool_use",
  "step_finish",
  "error",
]);

export class OpenCodeStreamParser {
  sessionId: string;
  announced: boolean;
  /** At least one line was a JSON envelope. */
  sawJson = false;
  /** Message of the first `error` envelope: the turn failed even if the process exits 0. */
  error: string | undefined;
  /** The stream switched to a session other than the adapter's; nothing after it is parsed. */
  mismatch: SessionMismatch | undefined;
  /** `step_finish` parts that carried token counts. */
  tokenSteps = 0;
  /** `step_finish` parts without any usage (older CLIs): model calls no event counted yet. */
  uncountedSteps = 0;

  readonly #emit: Emit;
  readonly #base: TokenUsage;
  readonly #model: string;
  #turn: TokenUsage = emptyUsage();

  constructor(options: OpenCodeStreamParserOptions) {
    this.#emit = options.emit;
    this.#base = options.base;
    this.sessionId = options.sessionId;
    this.announced = options.announced;
    this.#model = options.model;
  }

  /** The turn's own usage so far. */
  turnUsage(): TokenUsage {
    return { ...this.#turn };
  }

  /** Session-cumulative usage: counts and cost both add up (OpenCode prices each call). */
  sessionUsage(): TokenUsage {
    return combineUsage(this.#base, this.#turn);
  }

  /** Adds usage learned elsewhere (the export fallback) to the turn. */
  addTurnUsage(usage: TokenUsage): void {
    this.#turn = combineUsage(this.#turn, usage);
  }

  /** Returns "stop" when the stream must not be read any further (session id mismatch). */
  handleLine(line: string): "continue" | "stop" {
    if (this.mismatch !== undefined) return "stop";
    const msg = parseJsonObject(line);
    if (msg === undefined) {
      // OpenCode prints some notices as plain text in the middle of the JSON stream.
      const text = line.trim();
      if (text.startsWith(PERMISSION_NOTICE))
        this.#emit("notification", { message: truncateRunes(text, 500) });
      else this.#emit("malformed", { message: truncateRunes(line, 500) });
      return "continue";
    }
    this.sawJson = true;
    const id = str(msg.sessionID);
    if (id !== "") {
      if (this.sessionId === "") this.sessionId = id;
      if (id !== this.sessionId) {
        this.mismatch = { expected: this.sessionId, got: id };
        this.#emit("turn_ended_with_error", {
          message: `session id mismatch: expected "${this.sessionId}", got "${id}"`,
        });
        return "stop";
      }
      if (!this.announced) {
        this.announced = true;
        this.#emit("session_started", { sessionId: id, message: "session started" });
      }
    }
    const type = str(msg.type);
    if (!KNOWN_TYPES.has(type)) {
      this.#emit("malformed", { message: `unknown event type: ${type}` });
      return "continue";
    }
    if (type === "error") {
      this.#error(msg.error);
      return "continue";
    }
    const part = msg.part;
    if (typeof part !== "object" || part === null || Array.isArray(part)) {
      this.#emit("malformed", { message: `invalid ${type} payload` });
      return "continue";
    }
    this.#part(type, part as Json);
    return "continue";
  }

  #part(type: string, part: Json): void {
    switch (type) {
      case "step_start":
        this.#emit("notification", { message: "step started" });
        return;
      case "text":
        this.#emit("notification", { message: truncateRunes(str(part.text), 500) });
        return;
      case "reasoning":
        this.#emit("other_message", { message: "reasoning block" });
        return;
      case "tool_use": {
        const state = obj(part.state);
        const time = obj(state.time);
        const start = num(time.start);
        const end = num(time.end);
        this.#emit("tool_result", {
          toolName: str(part.tool),
          toolDurationMs: end > start ? Math.round(end - start) : 0,
          toolError: str(state.status).toLowerCase() === "error",
          message: truncateRunes(str(state.error), 500),
        });
        return;
      }
      case "step_finish":
        this.#stepFinish(part);
        return;
    }
  }

  #stepFinish(part: Json): void {
    const tokens = obj(part.tokens);
    const cache = obj(tokens.cache);
    const step: TokenUsage = {
      inputTokens: tokenCount(tokens.input),
      outputTokens: tokenCount(tokens.output),
      totalTokens: null,
      cacheReadTokens: tokenCount(cache.read),
      cacheWriteTokens: tokenCount(cache.write),
      costUsd: typeof part.cost === "number" && Number.isFinite(part.cost) ? part.cost : null,
    };
    if (step.inputTokens !== null || step.outputTokens !== null) this.tokenSteps++;
    if (step.inputTokens === null && step.outputTokens === null && step.costUsd === null) {
      this.uncountedSteps++;
    } else {
      this.#turn = combineUsage(this.#turn, step);
      this.#emit("token_usage", {
        usage: this.sessionUsage(),
        requests: 1,
        ...(this.#model !== "" ? { model: this.#model } : {}),
      });
    }
    this.#emit("notification", { message: `step finished: ${str(part.reason)}` });
  }

  #error(raw: unknown): void {
    const error = obj(raw);
    const message = str(obj(error.data).message) || str(error.name) || "opencode reported an unknown error";
    if (this.error !== undefined) {
      // One terminal event per turn: later errors are only progress.
      this.#emit("notification", { message: truncateRunes(message, 500) });
      return;
    }
    this.error = message;
    this.#emit("turn_failed", { message: truncateRunes(message, 500) });
  }
}

/** Counts add (null stays unknown until a number arrives); so does cost. */
export function combineUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum = addUsage(a, b);
  sum.costUsd = a.costUsd === null ? b.costUsd : b.costUsd === null ? a.costUsd : a.costUsd + b.costUsd;
  return sum;
}

/** True when stderr shows the CLI rejecting a `--session` id it does not know. */
export function stderrShowsStaleSession(lines: readonly string[]): boolean {
  return lines.some((l) => l.includes("Session not found"));
}
