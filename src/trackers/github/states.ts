// GitHub Issues have no workflow states, only open/closed: sortie reads an issue's state from its
// labels, using the configured state lists (lower-cased, in config order) to decide which label
// wins when an issue carries several.

/** The state labels the adapter recognises, lower-cased and in config order. */
export interface StateLabels {
  active: readonly string[];
  terminal: readonly string[];
  /** "" when no handoff state is configured. */
  handoff: string;
}

/** GitHub's defaults, used when the workflow names no states. */
export const DEFAULT_ACTIVE_STATES: readonly string[] = ["backlog", "in-progress", "review"];
export const DEFAULT_TERMINAL_STATES: readonly string[] = ["done", "wontfix"];

/**
 * Lower-cases the configured lists; an empty list falls back to GitHub's default. The handoff
 * state is trimmed and lower-cased.
 */
export function stateLabels(config: {
  activeStates: readonly string[];
  terminalStates: readonly string[];
  handoffState: string | null;
}): StateLabels {
  const lower = (states: readonly string[], fallback: readonly string[]) =>
    (states.length === 0 ? fallback : states).map((state) => state.toLowerCase());
  return {
    active: lower(config.activeStates, DEFAULT_ACTIVE_STATES),
    terminal: lower(config.terminalStates, DEFAULT_TERMINAL_STATES),
    handoff: (config.handoffState ?? "").trim().toLowerCase(),
  };
}

/**
 * The state label on the issue that decides its state: the first active state (config order)
 * among its labels, else the first terminal one, else the handoff state; "" when none.
 * Label order on the issue does not matter.
 */
export function currentStateLabel(labels: readonly string[], states: StateLabels): string {
  const present = new Set(labels.map((label) => label.toLowerCase()));
  const active = states.active.find((state) => present.has(state));
  if (active !== undefined) return active;
  const terminal = states.terminal.find((state) => present.has(state));
  if (terminal !== undefined) return terminal;
  if (states.handoff !== "" && present.has(states.handoff)) return states.handoff;
  return "";
}

/**
 * The state: its state label, else the first active state for an open issue or the
 * first terminal state for a closed one, else GitHub's own `open`/`closed`.
 */
export function deriveState(labels: readonly string[], nativeState: string, states: StateLabels): string {
  const label = currentStateLabel(labels, states);
  if (label !== "") return label;
  if (nativeState === "open" && states.active.length > 0) return states.active[0]!;
  if (nativeState === "closed" && states.terminal.length > 0) return states.terminal[0]!;
  return nativeState;
}

/** True when `target` (lower-cased) names a state the adapter can move an issue to. */
export function isKnownState(target: string, states: StateLabels): boolean {
  return (
    states.active.includes(target) ||
    states.terminal.includes(target) ||
    (states.handoff !== "" && target === states.handoff)
  );
}
