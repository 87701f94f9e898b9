// The fake GitHub's repository data: issues (pull requests included, as GitHub's issues endpoints
// mix them in), labels, comments, blocked-by dependencies and parents. Writes change the issue
// and bump its `updated_at`, so its ETag changes like GitHub's does.
import { createHash } from "node:crypto";

/** An issue as GitHub serialises it; seeds are the recorded payloads. */
export type IssueJson = Record<string, unknown> & { number: number };
export type CommentJson = Record<string, unknown> & { id: number };

export interface StoreSeed {
  owner: string;
  repo: string;
  issues: readonly Record<string, unknown>[];
  comments: Readonly<Record<number, readonly Record<string, unknown>[]>>;
  blockedBy: Readonly<Record<number, readonly number[]>>;
  parents: Readonly<Record<number, number>>;
  /** Labels defined in the repository; seeds' labels are added to them. */
  labels: readonly string[];
  now: () => Date;
}

export class RepoStore {
  readonly owner: string;
  readonly repo: string;
  readonly #issues = new Map<number, IssueJson>();
  readonly #comments = new Map<number, CommentJson[]>();
  readonly #blockedBy = new Map<number, number[]>();
  readonly #parents = new Map<number, number>();
  readonly #deleted = new Set<number>();
  readonly #labels = new Map<string, string>();
  readonly #now: () => Date;
  #nextCommentId = 100_000;

  constructor(seed: StoreSeed) {
    this.owner = seed.owner;
    this.repo = seed.repo;
    this.#now = seed.now;
    for (const label of seed.labels) this.defineLabel(label);
    for (const issue of seed.issues) this.put(issue);
    for (const [number, comments] of Object.entries(seed.comments)) {
      this.#comments.set(
        Number(number),
        comments.map((c) => structuredClone(c) as CommentJson),
      );
    }
    for (const [number, blockers] of Object.entries(seed.blockedBy))
      this.#blockedBy.set(Number(number), [...blockers]);
    for (const [number, parent] of Object.entries(seed.parents)) this.#parents.set(Number(number), parent);
  }

  /** Adds or replaces an issue (a deep copy); its labels become repository labels. */
  put(issue: Record<string, unknown>): IssueJson {
    const copy = structuredClone(issue) as IssueJson;
    if (typeof copy.number !== "number") throw new Error("fake GitHub issues need a number");
    copy.labels = normaliseLabels(copy.labels);
    for (const label of labelNamesOf(copy)) this.defineLabel(label);
    this.#issues.set(copy.number, copy);
    this.#deleted.delete(copy.number);
    return copy;
  }

  get(number: number): IssueJson | undefined {
    return this.#issues.get(number);
  }

  all(): IssueJson[] {
    return [...this.#issues.values()];
  }

  /** Removes the issue; GitHub then answers 410 Gone for it. */
  delete(number: number): void {
    this.#issues.delete(number);
    this.#deleted.add(number);
  }

  isDeleted(number: number): boolean {
    return this.#deleted.has(number);
  }

  defineLabel(name: string): void {
    if (!this.#labels.has(name.toLowerCase())) this.#labels.set(name.toLowerCase(), name);
  }

  /** The repository's spelling of a label, matched case-insensitively as GitHub does. */
  label(name: string): string | undefined {
    return this.#labels.get(name.toLowerCase());
  }

  labelsOf(number: number): string[] {
    const issue = this.#issues.get(number);
    return issue === undefined ? [] : labelNamesOf(issue);
  }

  /** Replaces the issue's labels (by hand, as a person in the GitHub UI would). */
  setLabels(number: number, labels: readonly string[]): void {
    const issue = this.#mustGet(number);
    for (const label of labels) this.defineLabel(label);
    issue.labels = labels.map((name) => labelObject(this.label(name) ?? name));
    this.#touch(issue);
  }

  addLabels(number: number, labels: readonly string[]): void {
    const issue = this.#mustGet(number);
    const present = labelNamesOf(issue);
    for (const name of labels) {
      if (present.some((label) => label.toLowerCase() === name.toLowerCase())) continue;
      this.defineLabel(name);
      present.push(this.label(name) ?? name);
    }
    issue.labels = present.map(labelObject);
    this.#touch(issue);
  }

  /** False when the issue does not carry the label. */
  removeLabel(number: number, name: string): boolean {
    const issue = this.#mustGet(number);
    const present = labelNamesOf(issue);
    const kept = present.filter((label) => label.toLowerCase() !== name.toLowerCase());
    if (kept.length === present.length) return false;
    issue.labels = kept.map(labelObject);
    this.#touch(issue);
    return true;
  }

  setState(number: number, state: "open" | "closed", reason: string | null): void {
    const issue = this.#mustGet(number);
    issue.state = state;
    issue.state_reason = state === "closed" ? (reason ?? "completed") : reason;
    issue.closed_at =
      state === "closed"
        ? this.#now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z")
        : null;
    this.#touch(issue);
  }

  comments(number: number): CommentJson[] {
    return this.#comments.get(number) ?? [];
  }

  addComment(number: number, body: string, login: string): CommentJson {
    const issue = this.#mustGet(number);
    const comment: CommentJson = {
      id: this.#nextCommentId++,
      user: { login },
      body,
      created_at: this.#timestamp(),
      updated_at: this.#timestamp(),
    };
    this.#comments.set(number, [...this.comments(number), comment]);
    issue.comments = this.comments(number).length;
    this.#touch(issue);
    return comment;
  }

  blockedBy(number: number): IssueJson[] {
    return (this.#blockedBy.get(number) ?? []).flatMap((n) => this.#issues.get(n) ?? []);
  }

  parent(number: number): IssueJson | undefined {
    const parent = this.#parents.get(number);
    return parent === undefined ? undefined : this.#issues.get(parent);
  }

  /** A strong ETag over the issue's current JSON, as GitHub's (`"<hex>"`). */
  etag(issue: IssueJson): string {
    return `"${createHash("sha1").update(JSON.stringify(issue)).digest("hex")}"`;
  }

  #mustGet(number: number): IssueJson {
    const issue = this.#issues.get(number);
    if (issue === undefined) throw new Error(`fake GitHub has no issue #${number}`);
    return issue;
  }

  #touch(issue: IssueJson): void {
    issue.updated_at = this.#timestamp();
    // Two writes within the same second still change the representation (and the ETag).
    issue.__revision = ((issue.__revision as number | undefined) ?? 0) + 1;
  }

  #timestamp(): string {
    return this.#now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }
}

/** Label names of an issue in payload order (labels may be objects or strings). */
export function labelNamesOf(issue: IssueJson): string[] {
  const labels = Array.isArray(issue.labels) ? issue.labels : [];
  return labels.map((label) =>
    typeof label === "string" ? label : String((label as { name?: unknown }).name ?? ""),
  );
}

function normaliseLabels(labels: unknown): { name: string }[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((label) =>
    labelObject(typeof label === "string" ? label : String((label as { name?: unknown }).name ?? "")),
  );
}

function labelObject(name: string): { name: string } {
  return { name };
}

/** The issue as served: internal bookkeeping keys removed. */
export function publicIssue(issue: IssueJson): Record<string, unknown> {
  const { __revision: _revision, ...rest } = issue;
  return rest;
}
