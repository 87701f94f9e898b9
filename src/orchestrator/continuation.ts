// Context injected into turn 1 of a CI-fix or review-fix continuation dispatch.

export interface CiFailureContext {
  status: string;
  checkRuns: { name: string; status: string; conclusion: string; detailsUrl: string }[];
  logExcerpt: string;
  failingCount: number;
  ref: string;
}

export interface ReviewCommentContext {
  id: string;
  file: string;
  startLine: number;
  endLine: number;
  reviewer: string;
  body: string;
}

export interface ContinuationContext {
  ciFailure?: CiFailureContext;
  reviewComments?: ReviewCommentContext[];
}
