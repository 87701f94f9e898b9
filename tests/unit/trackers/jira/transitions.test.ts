import { describe, expect, test } from "bun:test";
import type { JiraTransition } from "../../../../src/trackers/jira/schema.ts";
import { pickTransition } from "../../../../src/trackers/jira/transitions.ts";
import { thrownSortieError } from "../../../helpers/sortie-error.ts";

const FIXTURES = new URL("../../../fixtures/tracker-jira/", import.meta.url);
async function transitions(name: string): Promise<JiraTransition[]> {
  return ((await Bun.file(new URL(name, FIXTURES)).json()) as { transitions: JiraTransition[] }).transitions;
}

describe("pickTransition", () => {
  test("matches the destination status case-insensitively", async () => {
    const offered = await transitions("transitions.json");
    expect(pickTransition(offered, "human review", "10001").id).toBe("31");
    expect(pickTransition(offered, "IN PROGRESS", "10001").id).toBe("21");
    expect(pickTransition(offered, "Done", "10001").id).toBe("41");
  });

  test("matches the destination, never the transition's own name", async () => {
    const offered = await transitions("transitions.json");
    const error = thrownSortieError(() => pickTransition(offered, "Send to Review", "10001"));
    expect(error.kind).toBe("tracker_payload_error");
  });

  test("of two transitions to the same status, the first wins", async () => {
    expect(
      pickTransition(await transitions("transitions_duplicate_target.json"), "Human Review", "1").id,
    ).toBe("31");
  });

  test("no match: tracker_payload_error with the available states", async () => {
    const offered = await transitions("transitions_no_match.json");
    const error = thrownSortieError(() => pickTransition(offered, "Human Review", "10001"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toBe(
      'no transition to state "Human Review" available for issue 10001; available: "In Progress", "Done"',
    );
  });

  test("no transitions at all: available: none", async () => {
    const error = thrownSortieError(() => pickTransition([], "Done", "PROJ-7"));
    expect(error.message).toBe('no transition to state "Done" available for issue PROJ-7; available: none');
    expect(String(error)).toBe(
      'tracker: tracker_payload_error: no transition to state "Done" available for issue PROJ-7; available: none',
    );
    expect(await transitions("transitions_empty.json")).toEqual([]);
  });

  test("a transition without a destination name never matches and is listed as empty", () => {
    const error = thrownSortieError(() => pickTransition([{ id: "9", name: "odd", to: null }], "Done", "1"));
    expect(error.message).toContain('available: ""');
  });
});
