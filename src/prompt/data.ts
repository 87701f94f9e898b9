// The data a prompt template sees: exactly the root keys issue, attempt, run, ci_failure and
// review_comments, with snake_case fields and Go's slice types, so strict templates written for the
// Go original render the same here.

import type { Issue } from "../domain/issue.ts";
import { withGoType } from "./template/index.ts";

const MAP_SLICE = "[]map[string]interface {}";

export interface CheckRunContext {
  name: string;
  status: string;
  conclusion: string;
  detailsUrl: string;
}

/** A failing CI run that a CI-fix continuation asks the agent to repair. */
export interface CIFailureContext {
  status: string;
  checkRuns: readonly CheckRunContext[];
  /** May be ""; never persisted. */
  logExcerpt: string;
  failingCount: number;
  ref: string;
}

/** One review comment for a review-fix continuation; `file` "" and lines 0 for PR-level comments. */
export interface ReviewCommentContext {
  id: string;
  file: string;
  startLine: number;
  endLine: number;
  reviewer: string;
  body: string;
}

/** Extra context injected on turn 1 of a continuation dispatch. */
export interface ContinuationContext {
  ciFailure?: CIFailureContext | null;
  reviewComments?: readonly ReviewCommentContext[] | null;
}

export interface RunContext {
  turnNumber: number;
  maxTurns: number;
}

export type PromptData = {
  issue: Record<string, unknown>;
  attempt: number;
  run: { turn_number: number; max_turns: number; is_continuation: boolean };
  ci_failure: Record<string, unknown> | null;
  review_comments: Record<string, unknown>[] | null;
};

/** The `issue` map: all 16 keys always present; absent values are "" / nil / [] as documented. */
export function issueData(issue: Issue): Record<string, unknown> {
  return {
    id: issue.id,
    identifier: issue.identifier,
    title: issue.title,
    description: issue.description,
    priority: issue.priority ?? null,
    state: issue.state,
    branch_name: issue.branchName,
    url: issue.url,
    labels: withGoType([...(issue.labels ?? [])], "[]string"),
    assignee: issue.assignee,
    issue_type: issue.issueType,
    parent: issue.parent ? { id: issue.parent.id, identifier: issue.parent.identifier } : null,
    comments: issue.comments
      ? withGoType(
          issue.comments.map((c) => ({ id: c.id, author: c.author, body: c.body, created_at: c.createdAt })),
          MAP_SLICE,
        )
      : null,
    blocked_by: withGoType(
      (issue.blockedBy ?? []).map((b) => ({ id: b.id, identifier: b.identifier, state: b.state })),
      MAP_SLICE,
    ),
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
  };
}

function ciFailureData(ci: CIFailureContext): Record<string, unknown> {
  return {
    status: ci.status,
    check_runs: withGoType(
      ci.checkRuns.map((r) => ({
        name: r.name,
        status: r.status,
        conclusion: r.conclusion,
        details_url: r.detailsUrl,
      })),
      MAP_SLICE,
    ),
    log_excerpt: ci.logExcerpt,
    failing_count: ci.failingCount,
    ref: ci.ref,
  };
}

function reviewCommentsData(comments: readonly ReviewCommentContext[]): Record<string, unknown>[] {
  return withGoType(
    comments.map((c) => ({
      id: c.id,
      file: c.file,
      start_line: c.startLine,
      end_line: c.endLine,
      reviewer: c.reviewer,
      body: c.body,
    })),
    MAP_SLICE,
  );
}

/**
 * Builds the root data map for one turn. `attempt` is 0 on a first dispatch and ≥ 1 on retries;
 * continuation context is passed only on turn 1 of a continuation dispatch and is nil otherwise.
 */
export function buildPromptData(
  issue: Issue,
  attempt: number,
  run: RunContext,
  continuation?: ContinuationContext,
): PromptData {
  return {
    issue: issueData(issue),
    attempt,
    run: { turn_number: run.turnNumber, max_turns: run.maxTurns, is_continuation: run.turnNumber > 1 },
    ci_failure: continuation?.ciFailure ? ciFailureData(continuation.ciFailure) : null,
    review_comments: continuation?.reviewComments ? reviewCommentsData(continuation.reviewComments) : null,
  };
}
