// How a Copilot turn ended when its process exited on its own: the `result` line's exit code wins;
// without one, the process exit code and whether the model answered at all decide.
import type { Logger } from "@logtape/logtape";
import { agentError } from "../../domain/errors.ts";
import { exitedWithoutOutput, nonZeroExit } from "../process/exit-verdicts.ts";
import type { FinalizeDecision, ProcessExit } from "../process/fork-turn.ts";
import { truncateRunes } from "../truncate.ts";
import { type CopilotStreamParser, stderrShowsStaleSession } from "./parse.ts";

export function finalizeCopilotTurn(
  parser: CopilotStreamParser,
  exit: ProcessExit,
  stderr: readonly string[],
  context: { resumed: boolean; logger: Logger },
): FinalizeDecision {
  // `--resume <id>` for a conversation the CLI no longer has: it prints the reason and exits
  // before doing anything.
  if (context.resumed && parser.jsonLines === 0 && exit.exitCode !== 0 && stderrShowsStaleSession(stderr)) {
    return { kind: "restart" };
  }

  const result = parser.result;
  if (result !== undefined) {
    if (result.exitCode === 0) {
      return { kind: "terminal", type: "turn_completed", message: "", apiDurationMs: parser.apiDurationMs };
    }
    // The CLI's own explanation (a `session.error` line) says more than the bare exit code.
    const detail =
      parser.lastError !== undefined
        ? truncateRunes(parser.lastError, 500)
        : result.exitCode === null
          ? "result without exit code"
          : `result exit code ${result.exitCode}`;
    return {
      kind: "terminal",
      type: "turn_failed",
      message: "non-zero exit in result event",
      apiDurationMs: parser.apiDurationMs,
      error: agentError("turn_failed", "non-zero exit in result event", new Error(detail)),
    };
  }

  if (exit.exitCode !== 0) return nonZeroExit(exit.exitCode, detailOf(stderr));
  if (parser.assistantMessages === 0) {
    context.logger.warn("agent exited without producing output", {});
    return exitedWithoutOutput();
  }
  return { kind: "terminal", type: "turn_completed", message: "" };
}

/**
 * A short cause for the error text, so `agent: <kind>: <message>: <cause>` says what happened: the
 * CLI's own `Error: …` line when it printed one (its advice follows on later lines), else the
 * last lines of stderr.
 */
function detailOf(stderr: readonly string[]): Error | undefined {
  const lines = stderr.map((l) => l.trim()).filter((l) => l !== "");
  const error = lines.find((l) => /^error\b/i.test(l));
  const text = error ?? lines.slice(-3).join("; ");
  return text === "" ? undefined : new Error(truncateRunes(text, 500));
}
