// The `owner/repo` project string of the GitHub tracker.

export interface Repository {
  owner: string;
  repo: string;
}

/** `owner/repo` split in two; null when there is not exactly one `/` or a side is empty. */
export function parseProject(project: string): Repository | null {
  const parts = project.split("/");
  if (parts.length !== 2) return null;
  const [owner, repo] = parts as [string, string];
  if (owner === "" || repo === "") return null;
  return { owner, repo };
}
