// Choosing the workflow transition that moves an issue into a target status. Jira moves issues
// only along transitions the workflow offers from the current status, so the adapter matches the
// transition's destination (`to.name`), not its own name, which is free text like "Start work".
import { trackerError } from "../../domain/errors.ts";
import type { JiraTransition } from "./schema.ts";

/**
 * The first transition whose destination equals `target` case-insensitively. None throws
 * tracker_payload_error naming the target and the destinations on offer, in response order:
 * `no transition to state "Done" available for issue 10001; available: "In Progress", "Review"`.
 */
export function pickTransition(
  transitions: readonly JiraTransition[],
  target: string,
  issueId: string,
): JiraTransition {
  const wanted = target.toLowerCase();
  const match = transitions.find((transition) => (transition.to?.name ?? "").toLowerCase() === wanted);
  if (match !== undefined) return match;
  const offered = transitions.map((transition) => `"${transition.to?.name ?? ""}"`);
  const available = offered.length === 0 ? "none" : offered.join(", ");
  throw trackerError(
    "tracker_payload_error",
    `no transition to state "${target}" available for issue ${issueId}; available: ${available}`,
  );
}
