// The guard at the top of every adapter's runTurn: the session must be one this adapter started,
// and events need somewhere to go. Both are caller bugs, hence TypeErrors rather than agent errors.
import type { RunTurnParams, Session } from "../domain/agent.ts";

export function turnSessionState<T>(
  session: Session,
  params: RunTurnParams,
  type: abstract new (...args: never[]) => T,
  adapterKind: string,
): T {
  const state = session.internal;
  if (!(state instanceof type)) throw new TypeError(`session was not started by the ${adapterKind} adapter`);
  if (typeof params.onEvent !== "function") throw new TypeError("runTurn requires onEvent");
  return state;
}
