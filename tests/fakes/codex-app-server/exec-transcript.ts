// Translates a `codex exec --json` transcript (the recorded real-CLI run) into the app-server
// traffic the same turns produce, so the adapter can replay a real run: `thread.started` becomes
// the thread, each `turn.started … turn.completed` a `turn/start` script.
import type { Step } from "./scenario.ts";

type Json = Record<string, unknown>;

export interface ExecTranscriptTurn {
  turnId: string;
  /** The `turn/start` script: response, notifications, `turn/completed`. */
  script: Step[];
  /** `turn.completed.usage` of the exec line (thread-cumulative on a resumed thread). */
  usage: { input: number; cachedInput: number; cacheWrite: number; output: number };
  /** The thread's totals as the server repeats them after `thread/resume` of this turn. */
  totalsNotification: string;
}

export interface ExecTranscript {
  threadId: string;
  turns: ExecTranscriptTurn[];
}

export function translateExecTranscript(text: string): ExecTranscript {
  let threadId = "";
  const turns: ExecTranscriptTurn[] = [];
  let current: ExecTranscriptTurn | undefined;
  let pendingWarnings: string[] = [];

  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const event = JSON.parse(line) as Json;
    const item = (event.item ?? {}) as Json;
    switch (event.type) {
      case "thread.started":
        threadId = String(event.thread_id);
        break;
      case "turn.started": {
        const turnId = `exec-turn-${turns.length + 1}`;
        current = {
          turnId,
          script: [
            JSON.stringify({ id: 0, result: { turn: { id: turnId, status: "inProgress", items: [] } } }),
            ...pendingWarnings,
            notification("turn/started", { threadId, turn: { id: turnId, status: "inProgress", items: [] } }),
          ],
          usage: { input: 0, cachedInput: 0, cacheWrite: 0, output: 0 },
          totalsNotification: "",
        };
        pendingWarnings = [];
        turns.push(current);
        break;
      }
      case "item.started":
      case "item.completed": {
        const method = event.type === "item.started" ? "item/started" : "item/completed";
        if (item.type === "error") {
          // Exec shows warnings as error items; the app-server sends a `warning` notification.
          const warning = notification("warning", { threadId, message: item.message });
          if (current) current.script.push(warning);
          else pendingWarnings.push(warning);
          break;
        }
        current?.script.push(
          notification(method, { threadId, turnId: current.turnId, item: appServerItem(item) }),
        );
        break;
      }
      case "turn.completed": {
        if (!current) break;
        const u = (event.usage ?? {}) as Json;
        current.usage = {
          input: Number(u.input_tokens ?? 0),
          cachedInput: Number(u.cached_input_tokens ?? 0),
          cacheWrite: Number(u.cache_write_input_tokens ?? 0),
          output: Number(u.output_tokens ?? 0),
        };
        const total = {
          totalTokens: current.usage.input + current.usage.output,
          inputTokens: current.usage.input,
          cachedInputTokens: current.usage.cachedInput,
          cacheWriteInputTokens: current.usage.cacheWrite,
          outputTokens: current.usage.output,
          reasoningOutputTokens: Number(u.reasoning_output_tokens ?? 0),
        };
        const usage = notification("thread/tokenUsage/updated", {
          threadId,
          turnId: current.turnId,
          tokenUsage: { total, last: null, modelContextWindow: null },
        });
        current.totalsNotification = usage;
        current.script.push(
          usage,
          notification("turn/completed", {
            threadId,
            turn: { id: current.turnId, status: "completed", items: [], error: null },
          }),
        );
        current = undefined;
        break;
      }
      case "turn.failed": {
        if (!current) break;
        const error = (event.error ?? {}) as Json;
        current.script.push(
          notification("turn/completed", {
            threadId,
            turn: {
              id: current.turnId,
              status: "failed",
              error: { message: error.message, codexErrorInfo: null },
            },
          }),
        );
        current = undefined;
        break;
      }
    }
  }
  return { threadId, turns };
}

function appServerItem(item: Json): Json {
  switch (item.type) {
    case "command_execution":
      return {
        type: "commandExecution",
        id: item.id,
        command: item.command,
        aggregatedOutput: item.aggregated_output ?? null,
        exitCode: item.exit_code ?? null,
        status: item.status === "in_progress" ? "inProgress" : item.status,
      };
    case "agent_message":
      return { type: "agentMessage", id: item.id, text: item.text };
    case "file_change":
      return { type: "fileChange", id: item.id, status: item.status, changes: item.changes ?? [] };
    default:
      return { ...item };
  }
}

function notification(method: string, params: Json): string {
  return JSON.stringify({ method, params });
}
