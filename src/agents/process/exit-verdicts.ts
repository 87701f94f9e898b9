// Verdicts on a per-turn CLI that exited without a result line to go by. The adapters that fall
// back to the exit code share them, so such turns fail with the same messages and error kinds.
import { agentError } from "../../domain/errors.ts";
import type { FinalizeDecision } from "./fork-turn.ts";

/** `detail` (usually the end of stderr) becomes the error's cause. */
export function nonZeroExit(exitCode: number, detail: Error | undefined): FinalizeDecision {
  return {
    kind: "terminal",
    type: "turn_failed",
    message: "non-zero exit",
    error: agentError("port_exit", `exit code ${exitCode}`, detail),
  };
}

/** Exit code 0, but the model never answered: nothing was done. */
export function exitedWithoutOutput(): FinalizeDecision {
  return {
    kind: "terminal",
    type: "turn_failed",
    message: "agent exited without producing output",
    error: agentError("turn_failed", "agent exited without producing output"),
  };
}
