// Which candidate issues may be dispatched, in which order, and how many slots are free.
import type { Issue } from "../domain/issue.ts";

/** Lower-cased active and terminal state sets from the effective config. */
export interface StateSets {
  active: ReadonlySet<string>;
  terminal: ReadonlySet<string>;
}

export function stateSets(activeStates: readonly string[], terminalStates: readonly string[]): StateSets {
  return {
    active: new Set(activeStates.map((s) => s.toLowerCase())),
    terminal: new Set(terminalStates.map((s) => s.toLowerCase())),
  };
}

/** An empty active list means every non-terminal state is active (the file tracker's default). */
export function isActiveState(state: string, sets: StateSets): boolean {
  return sets.active.size === 0 || sets.active.has(state.toLowerCase());
}

export function isTerminalState(state: string, sets: StateSets): boolean {
  return sets.terminal.has(state.toLowerCase());
}

export function hasRequiredFields(issue: Issue): boolean {
  return issue.id !== "" && issue.identifier !== "" && issue.title !== "" && issue.state !== "";
}

/** Blocked when any blocker's state is empty or not terminal: unknown counts as blocking. */
export function isBlocked(issue: Issue, sets: StateSets): boolean {
  return issue.blockedBy.some((b) => b.state === "" || !isTerminalState(b.state, sets));
}

export interface ClaimView {
  running: ReadonlyMap<string, unknown>;
  claimed: ReadonlySet<string>;
  budgetExhausted: ReadonlySet<string>;
}

/** The tick's eligibility rule, checked in the original's order. Capacity is checked separately. */
export function shouldDispatch(issue: Issue, sets: StateSets, claims: ClaimView): boolean {
  if (!hasRequiredFields(issue)) return false;
  if (!isActiveState(issue.state, sets) || isTerminalState(issue.state, sets)) return false;
  if (claims.running.has(issue.id) || claims.claimed.has(issue.id)) return false;
  if (claims.budgetExhausted.has(issue.id)) return false;
  return !isBlocked(issue, sets);
}

/** The same checks the retry timer applies to a re-fetched issue (it does its own claim/budget logic). */
export function retryStillEligible(issue: Issue, sets: StateSets): boolean {
  return hasRequiredFields(issue) && !isTerminalState(issue.state, sets) && !isBlocked(issue, sets);
}

function comparePriority(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function compareCreatedAt(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  return a < b ? -1 : 1;
}

/** Priority ascending (null last), created_at ascending (empty last), identifier; stable, input untouched. */
export function sortForDispatch(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      comparePriority(a.priority, b.priority) ||
      compareCreatedAt(a.createdAt, b.createdAt) ||
      (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0),
  );
}

export interface SlotInputs {
  maxConcurrentAgents: number;
  maxConcurrentByState: Readonly<Record<string, number>>;
  /** States (any casing) of the issues currently running. */
  runningStates: readonly string[];
}

export function globalSlotsAvailable(inputs: SlotInputs): number {
  return Math.max(inputs.maxConcurrentAgents - inputs.runningStates.length, 0);
}

/** Per-state slots when the state has its own cap, else the global figure. */
export function stateSlotsAvailable(state: string, inputs: SlotInputs): number {
  const key = state.toLowerCase();
  const limit = inputs.maxConcurrentByState[key];
  if (limit === undefined) return globalSlotsAvailable(inputs);
  const inState = inputs.runningStates.filter((s) => s.toLowerCase() === key).length;
  return Math.max(limit - inState, 0);
}

export function hasAvailableSlots(state: string, inputs: SlotInputs): boolean {
  return globalSlotsAvailable(inputs) > 0 && stateSlotsAvailable(state, inputs) > 0;
}
