// Builds normalized agent events with a timestamp and the agent pid filled in.
import type { AgentEvent, AgentEventType } from "../domain/agent.ts";

export type EventFields = Partial<Omit<AgentEvent, "type" | "timestamp">>;
export type Emit = (type: AgentEventType, fields?: EventFields) => void;

export function eventEmitter(
  onEvent: (event: AgentEvent) => void,
  now: () => Date,
  agentPid: () => string,
): Emit {
  return (type, fields = {}) => {
    onEvent({ agentPid: agentPid(), message: "", ...fields, type, timestamp: now() });
  };
}
