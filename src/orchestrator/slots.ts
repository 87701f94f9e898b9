// Slot math inputs from the live state.
import type { OrchestratorContext } from "./context.ts";
import type { SlotInputs } from "./eligibility.ts";

export function slotInputs(ctx: Pick<OrchestratorContext, "state">): SlotInputs {
  const { state } = ctx;
  return {
    maxConcurrentAgents: state.maxConcurrentAgents,
    maxConcurrentByState: state.maxConcurrentByState,
    runningStates: [...state.running.values()].map((e) => e.issue.state),
  };
}
