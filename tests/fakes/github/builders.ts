// Issue payloads in GitHub's shape for tests that need more than the recorded fixtures.

/** An open issue #n created n minutes after 2026-01-01, carrying `labels`. */
export function gitHubIssue(
  number: number,
  labels: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const created = new Date(Date.UTC(2026, 0, 1) + number * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    id: 1_000_000 + number,
    number,
    title: `Issue ${number}`,
    body: `Body of issue ${number}`,
    state: "open",
    state_reason: null,
    html_url: `https://github.com/owner/repo/issues/${number}`,
    labels: labels.map((name) => ({ name })),
    assignees: [],
    type: null,
    pull_request: null,
    created_at: created,
    updated_at: created,
    ...extra,
  };
}

/** A pull request as the issues endpoints list it. */
export function gitHubPullRequest(number: number, labels: readonly string[]): Record<string, unknown> {
  return gitHubIssue(number, labels, {
    html_url: `https://github.com/owner/repo/pull/${number}`,
    pull_request: { url: `https://api.github.com/repos/owner/repo/pulls/${number}` },
  });
}

/** A comment as the issue comments endpoint lists it. */
export function gitHubComment(id: number, login: string, body: string): Record<string, unknown> {
  return { id, user: { login }, body, created_at: new Date(Date.UTC(2026, 0, 2) + id * 1000).toISOString() };
}
