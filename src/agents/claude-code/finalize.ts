// How a Claude Code turn ended when its process exited on its own: the `result` line wins over
// the exit code; without one, the exit code and whether the model answered at all decide.
import type { Logger } from "@logtape/logtape";
import { agentError } from "../../domain/errors.ts";
import { exitedWithoutOutput, nonZeroExit } from "../process/exit-verdicts.ts";
import type { FinalizeDecision, ProcessExit } from "../process/fork-turn.ts";
import { truncateRunes } from "../truncate.ts";
import { type ClaudeStreamParser, stderrShowsStaleSession } from "./parse.ts";

export function finalizeClaudeTurn(
  parser: ClaudeStreamParser,
  exit: ProcessExit,
  stderr: readonly string[],
  context: { resumed: boolean; logger: Logger },
): FinalizeDecision {
  if (context.resumed && !parser.initSeen && (parser.staleSession || stderrShowsStaleSession(stderr))) {
    return { kind: "restart" };
  }

  const result = parser.result;
  if (result !== undefined) {
    if (result.subtype === "success" && !result.isError) {
      return {
        kind: "terminal",
        type: "turn_completed",
        message: truncateRunes(result.text, 500),
        apiDurationMs: result.apiDurationMs,
      };
    }
    // An error result with subtype "success" (e.g. an API error the CLI gave up on) is only
    // explained by its text.
    const reason =
      result.subtype !== "" && result.subtype !== "success"
        ? result.subtype
        : truncateRunes(result.text || result.errors.join("; ") || "error result", 500);
    return {
      kind: "terminal",
      type: "turn_failed",
      message: reason,
      apiDurationMs: result.apiDurationMs,
      error: agentError("turn_failed", reason, detailOf(result.errors, result.text)),
    };
  }

  if (exit.exitCode !== 0) return nonZeroExit(exit.exitCode, detailOf(stderr.slice(-3)));
  if (!parser.assistantSeen) {
    context.logger.warn("agent exited without producing output", { session_id: parser.sessionId });
    return exitedWithoutOutput();
  }
  return { kind: "terminal", type: "turn_completed", message: "" };
}

/** A short cause for the error text, so `agent: <kind>: <message>: <cause>` says what happened. */
function detailOf(lines: readonly string[], fallback = ""): Error | undefined {
  const text = lines
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("; ");
  const detail = text !== "" ? text : fallback.trim();
  return detail === "" ? undefined : new Error(truncateRunes(detail, 500));
}
