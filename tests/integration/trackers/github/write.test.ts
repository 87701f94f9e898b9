import { afterEach, describe, expect, test } from "bun:test";
import { gitHubIssue, gitHubPullRequest } from "../../../fakes/github/builders.ts";
import type { FakeRequest } from "../../../fakes/github/server.ts";
import { setupGitHub, sortieError, stopFakes } from "./setup.ts";

afterEach(stopFakes);

/** Method, decoded path and parsed body of each request. */
function sent(requests: FakeRequest[]): [string, string, unknown][] {
  return requests.map((r) => [r.method, r.path, r.body === "" ? null : JSON.parse(r.body)]);
}

describe("transitionIssue", () => {
  test("swaps the state label: remove the current one, add the target, no open/closed change", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["backlog", "bug"])] } });
    await tracker.transitionIssue("1", "In-Progress");

    expect(sent(fake.requests)).toEqual([
      ["GET", "/repos/owner/repo/issues/1", null],
      ["DELETE", "/repos/owner/repo/issues/1/labels/backlog", null],
      ["POST", "/repos/owner/repo/issues/1/labels", { labels: ["in-progress"] }],
    ]);
    expect(fake.requests[2]?.headers.get("content-type")).toBe("application/json");
    expect(fake.repo.labelsOf(1)).toEqual(["bug", "in-progress"]);
    expect(fake.repo.get(1)?.state).toBe("open");
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("in-progress");
  });

  test("a terminal target closes an open issue as completed", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["review"])] } });
    await tracker.transitionIssue("1", "done");
    expect(sent(fake.requests).slice(1)).toEqual([
      ["DELETE", "/repos/owner/repo/issues/1/labels/review", null],
      ["POST", "/repos/owner/repo/issues/1/labels", { labels: ["done"] }],
      ["PATCH", "/repos/owner/repo/issues/1", { state: "closed", state_reason: "completed" }],
    ]);
    expect(fake.repo.get(1)).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  test("an active target reopens a closed issue", async () => {
    const { fake, tracker } = setupGitHub({
      fake: { issues: [gitHubIssue(1, ["done"], { state: "closed", state_reason: "completed" })] },
    });
    await tracker.transitionIssue("1", "backlog");
    expect(sent(fake.requests).slice(1)).toEqual([
      ["DELETE", "/repos/owner/repo/issues/1/labels/done", null],
      ["POST", "/repos/owner/repo/issues/1/labels", { labels: ["backlog"] }],
      ["PATCH", "/repos/owner/repo/issues/1", { state: "open" }],
    ]);
    expect(fake.repo.get(1)?.state).toBe("open");
  });

  test("a handoff target changes labels only, even on a closed issue", async () => {
    const { fake, tracker } = setupGitHub({
      fake: { issues: [gitHubIssue(1, ["in-progress"]), gitHubIssue(2, [], { state: "closed" })] },
      tracker: { handoffState: " Human Review/UI " },
    });
    await tracker.transitionIssue("1", "human review/ui");
    await tracker.transitionIssue("2", "Human Review/UI");
    expect(sent(fake.requests.filter((r) => r.method !== "GET"))).toEqual([
      ["DELETE", "/repos/owner/repo/issues/1/labels/in-progress", null],
      ["POST", "/repos/owner/repo/issues/1/labels", { labels: ["human review/ui"] }],
      ["POST", "/repos/owner/repo/issues/2/labels", { labels: ["human review/ui"] }],
    ]);
    expect(fake.repo.get(2)?.state).toBe("closed");
    expect((await tracker.fetchIssueStatesByIds(["1", "2"])).get("1")).toBe("human review/ui");
  });

  test("label names are sent as one percent-encoded path segment", async () => {
    const { fake, tracker } = setupGitHub({
      fake: { issues: [gitHubIssue(1, ["needs review/ui"])] },
      tracker: { activeStates: ["needs review/ui", "coding"] },
    });
    await tracker.transitionIssue("1", "coding");
    const deletion = fake.requests.find((r) => r.method === "DELETE");
    expect(deletion?.path).toBe("/repos/owner/repo/issues/1/labels/needs review/ui");
    expect(deletion?.rawPath).toBe("/repos/owner/repo/issues/1/labels/needs%20review%2Fui");
  });

  test("nothing to change when the issue already carries the target label", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["review"])] } });
    await tracker.transitionIssue("1", "review");
    expect(sent(fake.requests)).toEqual([["GET", "/repos/owner/repo/issues/1", null]]);
  });

  test("an issue without a state label just gets the target label", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["bug"])] } });
    await tracker.transitionIssue("1", "backlog");
    expect(sent(fake.requests).slice(1)).toEqual([
      ["POST", "/repos/owner/repo/issues/1/labels", { labels: ["backlog"] }],
    ]);
  });

  test("a state label removed meanwhile (DELETE 404) does not fail the transition", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["backlog"])] } });
    fake.inject({ method: "DELETE", status: 404, body: { message: "Label does not exist" } });
    await tracker.transitionIssue("1", "review");
    expect(fake.repo.labelsOf(1)).toEqual(["backlog", "review"]);
  });

  test("the real DELETE of an absent label answers 404", async () => {
    const { fake } = setupGitHub({ fake: { issues: [gitHubIssue(1, [])] } });
    const response = await fetch(`${fake.url}/repos/owner/repo/issues/1/labels/backlog`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(response.status).toBe(404);
  });

  test("a target that is no configured state fails without a request", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["backlog"])] } });
    const error = await sortieError(tracker.transitionIssue("1", "shipped"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toContain('invalid target state "shipped"');
    expect(fake.requests).toHaveLength(0);
  });

  test("a missing issue or a pull request is tracker_not_found", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubPullRequest(2, ["backlog"])] } });
    expect((await sortieError(tracker.transitionIssue("9", "review"))).message).toBe("issue not found: 9");
    expect((await sortieError(tracker.transitionIssue("2", "review"))).kind).toBe("tracker_not_found");
    expect(fake.requests.every((r) => r.method === "GET")).toBe(true);
  });

  test("a label the repository does not define is a payload error (422)", async () => {
    const { fake, tracker } = setupGitHub({
      fake: { issues: [gitHubIssue(1, ["backlog"])], strictLabels: true },
    });
    const error = await sortieError(tracker.transitionIssue("1", "review"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toStartWith("POST /repos/owner/repo/issues/1/labels: validation failed: ");
    expect(error.message).toContain('"value":"review"');
    // Not atomic: the old state label is already gone; the retry after the label exists converges.
    expect(fake.repo.labelsOf(1)).toEqual([]);
  });

  test("a failing step returns its error; retrying converges", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, ["review"])] } });
    fake.inject({ method: "PATCH", status: 503, body: "unavailable" });
    const error = await sortieError(tracker.transitionIssue("1", "done"));
    expect(error.kind).toBe("tracker_transport_error");
    expect(fake.repo.labelsOf(1)).toEqual(["done"]);
    expect(fake.repo.get(1)?.state).toBe("open");

    fake.requests.length = 0;
    await tracker.transitionIssue("1", "done");
    expect(sent(fake.requests).slice(1)).toEqual([
      ["PATCH", "/repos/owner/repo/issues/1", { state: "closed", state_reason: "completed" }],
    ]);
    expect(fake.repo.get(1)?.state).toBe("closed");
  });
});

describe("commentIssue and addLabel", () => {
  test("posts the text as Markdown, accepting 201", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(3, [])] } });
    await tracker.commentIssue("3", "**Done.**\n\nSession: abc");
    expect(sent(fake.requests)).toEqual([
      ["POST", "/repos/owner/repo/issues/3/comments", { body: "**Done.**\n\nSession: abc" }],
    ]);
    expect(fake.repo.comments(3).map((c) => c.body)).toEqual(["**Done.**\n\nSession: abc"]);
    const comments = await tracker.fetchIssueComments("3");
    expect(comments.map((c) => [c.author, c.body])).toEqual([["sortie-bot", "**Done.**\n\nSession: abc"]]);
  });

  test("a comment on a missing issue is tracker_not_found", async () => {
    const { tracker } = setupGitHub();
    expect((await sortieError(tracker.commentIssue("3", "hi"))).kind).toBe("tracker_not_found");
  });

  test("adds one label as given, without lower-casing", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(3, ["review"])] } });
    await tracker.addLabel("3", "Needs-Human");
    expect(sent(fake.requests)).toEqual([
      ["POST", "/repos/owner/repo/issues/3/labels", { labels: ["Needs-Human"] }],
    ]);
    expect(fake.repo.labelsOf(3)).toEqual(["review", "Needs-Human"]);
  });
});
