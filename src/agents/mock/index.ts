// The built-in mock agent: no subprocess, scripted outcomes and token counts. It drives offline
// tests and the quick-start demo, where `write_file` leaves a visible result in the workspace.
import type { Logger } from "@logtape/logtape";
import type {
  AgentAdapter,
  RunTurnParams,
  Session,
  StartSessionParams,
  TerminalEventType,
  TokenUsage,
  TurnOutcome,
} from "../../domain/agent.ts";
import { type AgentErrorKind, agentError, type SortieError } from "../../domain/errors.ts";
import { type Emit, eventEmitter } from "../events.ts";
import { type AdapterOptions, optInt, optList, optRecord, optString } from "../options.ts";
import { cancellationOf } from "../process/cancel.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import { writeWorkspaceFile } from "./write-file.ts";

export interface MockToolCall {
  toolName: string;
  durationMs: number;
  error: boolean;
}

export interface MockSettings {
  sessionId: string;
  agentPid: string;
  startError: string;
  stopError: string;
  turnOutcomes: string[];
  eventsPerTurn: number;
  inputTokensPerTurn: number;
  outputTokensPerTurn: number;
  cacheReadTokensPerTurn: number;
  turnDelayMs: number;
  modelName: string;
  apiDurationMs: number;
  toolCalls: MockToolCall[];
  writeFile: { path: string; content: string } | undefined;
}

export function mockSettings(options: AdapterOptions): MockSettings {
  const writeFile = optRecord(options, "write_file");
  return {
    sessionId: optString(options, "session_id", "mock-session-001") || "mock-session-001",
    agentPid: optString(options, "agent_pid"),
    startError: optString(options, "start_error"),
    stopError: optString(options, "stop_error"),
    turnOutcomes: optList(options, "turn_outcomes").map((o) => (typeof o === "string" ? o : "")),
    eventsPerTurn: optInt(options, "events_per_turn", 3),
    inputTokensPerTurn: optInt(options, "input_tokens_per_turn", 100),
    outputTokensPerTurn: optInt(options, "output_tokens_per_turn", 50),
    cacheReadTokensPerTurn: optInt(options, "cache_read_tokens_per_turn", 0),
    turnDelayMs: optInt(options, "turn_delay_ms", 0),
    modelName: optString(options, "model_name"),
    apiDurationMs: optInt(options, "api_duration_ms", 0),
    toolCalls: optList(options, "tool_calls").flatMap((raw) => {
      if (typeof raw !== "object" || raw === null) return [];
      const t = raw as AdapterOptions;
      return [
        {
          toolName: optString(t, "tool_name"),
          durationMs: optInt(t, "duration_ms", 0),
          error: t.error === true,
        },
      ];
    }),
    writeFile:
      writeFile === undefined
        ? undefined
        : { path: optString(writeFile, "path"), content: optString(writeFile, "content") },
  };
}

interface MockSessionState {
  workspacePath: string;
}

const OUTCOMES: Record<string, { type: TerminalEventType; errorKind: AgentErrorKind }> = {
  failed: { type: "turn_failed", errorKind: "turn_failed" },
  cancelled: { type: "turn_cancelled", errorKind: "turn_cancelled" },
  error: { type: "turn_ended_with_error", errorKind: "port_exit" },
  input_required: { type: "turn_input_required", errorKind: "turn_input_required" },
};

export class MockAdapter implements AgentAdapter {
  readonly #settings: MockSettings;
  readonly #config: AgentAdapterConfig;
  readonly #logger: Logger;
  readonly #now: () => Date;
  /** Shared by every session of this instance, so concurrent issues share the outcome sequence. */
  #turnIndex = 0;

  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    this.#config = config;
    this.#settings = mockSettings(config.options);
    this.#logger = deps.logger.getChild("mock");
    this.#now = deps.now ?? (() => new Date());
  }

  async startSession(params: StartSessionParams, _signal: AbortSignal): Promise<Session> {
    if (this.#settings.startError !== "") throw agentError("agent_not_found", this.#settings.startError);
    if (params.workspacePath === "") throw agentError("invalid_workspace_cwd", "empty workspace path");
    const internal: MockSessionState = { workspacePath: params.workspacePath };
    return { id: this.#settings.sessionId, agentPid: this.#settings.agentPid, internal };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = session.internal as MockSessionState;
    const s = this.#settings;
    const k = this.#turnIndex++;
    const emit: Emit = eventEmitter(params.onEvent, this.#now, () => s.agentPid);
    const usage: TokenUsage = {
      inputTokens: (k + 1) * s.inputTokensPerTurn,
      outputTokens: (k + 1) * s.outputTokensPerTurn,
      totalTokens: (k + 1) * (s.inputTokensPerTurn + s.outputTokensPerTurn),
      cacheReadTokens: (k + 1) * s.cacheReadTokensPerTurn,
      cacheWriteTokens: null,
      costUsd: null,
    };
    const outcome = (type: TerminalEventType, error?: SortieError): TurnOutcome => {
      const out: TurnOutcome = { result: { sessionId: s.sessionId, exitReason: type, usage } };
      if (error !== undefined) out.error = error;
      return out;
    };

    if (s.turnDelayMs > 0 || signal.aborted) {
      try {
        await abortableDelay(s.turnDelayMs, signal);
      } catch {
        const c = cancellationOf(signal, this.#config.turnTimeoutMs);
        emit("turn_cancelled", { message: c.eventMessage });
        return outcome("turn_cancelled", c.error);
      }
    }

    emit("session_started", { sessionId: s.sessionId, message: "mock session started" });
    for (let i = 1; i <= s.eventsPerTurn; i++) emit("notification", { message: `mock notification ${i}` });
    emit("token_usage", {
      usage: { ...usage },
      message: "mock token usage",
      ...(s.modelName !== "" ? { model: s.modelName } : {}),
      ...(s.apiDurationMs > 0 ? { apiDurationMs: s.apiDurationMs } : {}),
    });
    for (const tool of s.toolCalls) {
      emit("tool_result", {
        toolName: tool.toolName,
        toolDurationMs: tool.durationMs,
        toolError: tool.error,
        message: `mock tool ${tool.toolName}`,
      });
    }

    if (s.writeFile !== undefined) {
      const started = performance.now();
      const fill = (text: string): string =>
        text
          .replaceAll("{identifier}", params.issue.identifier)
          .replaceAll("{turn}", String(params.turnNumber));
      const path = fill(s.writeFile.path);
      try {
        await writeWorkspaceFile(state.workspacePath, path, fill(s.writeFile.content));
      } catch (err) {
        const message = `write_file: ${err instanceof Error ? err.message : String(err)}`;
        this.#logger.warn("mock write_file failed", { path, error: message });
        emit("tool_result", {
          toolName: "write_file",
          toolDurationMs: Math.round(performance.now() - started),
          toolError: true,
          message,
        });
        emit("turn_failed", { message });
        return outcome("turn_failed", agentError("turn_failed", message, err));
      }
      emit("tool_result", {
        toolName: "write_file",
        toolDurationMs: Math.round(performance.now() - started),
        toolError: false,
        message: `wrote ${path}`,
      });
    }

    const name = s.turnOutcomes[k] ?? "completed";
    const mapped = OUTCOMES[name];
    const message = `mock turn ${name}`;
    if (mapped === undefined) {
      emit("turn_completed", { message });
      return outcome("turn_completed");
    }
    emit(mapped.type, { message });
    return outcome(mapped.type, agentError(mapped.errorKind, message));
  }

  async stopSession(_session: Session, _signal: AbortSignal): Promise<void> {
    if (this.#settings.stopError !== "") throw new Error(`mock stop: ${this.#settings.stopError}`);
  }

  async close(): Promise<void> {}
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
