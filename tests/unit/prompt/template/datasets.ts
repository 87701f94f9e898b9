// Template data used by the golden cases. Each mirrors a Go value with the same Go types
// (map[string]interface {}, []string, []map[string]interface {}, int, float64, nil) so the expected
// outputs are exactly what Go's text/template produces for it.

import { GoFloat, withGoType } from "../../../../src/prompt/template/index.ts";

const MAPS = "[]map[string]interface {}";

export function fullData(): Record<string, unknown> {
  return {
    issue: {
      id: "10001",
      identifier: "ABC-1",
      title: "Fix the <login> & bug",
      description: "Line one\nLine two",
      priority: 2,
      state: "In Progress",
      branch_name: "abc-1-fix",
      url: "https://tracker.example/browse/ABC-1",
      labels: withGoType(["bug", "urgent"], "[]string"),
      assignee: "alice",
      issue_type: "Bug",
      parent: { id: "10000", identifier: "ABC-0" },
      comments: withGoType(
        [{ id: "c1", author: "bob", body: "Looks good", created_at: "2024-01-02T03:04:05Z" }],
        MAPS,
      ),
      blocked_by: withGoType([{ id: "9", identifier: "ABC-9", state: "Done" }], MAPS),
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-03T00:00:00Z",
    },
    attempt: 0,
    run: { turn_number: 1, max_turns: 5, is_continuation: false },
    ci_failure: null,
    review_comments: null,
  };
}

export function bareData(): Record<string, unknown> {
  return {
    issue: {
      id: "7",
      identifier: "#7",
      title: "Bare",
      description: "",
      priority: null,
      state: "open",
      branch_name: "",
      url: "",
      labels: withGoType([], "[]string"),
      assignee: "",
      issue_type: "",
      parent: null,
      comments: null,
      blocked_by: withGoType([], MAPS),
      created_at: "",
      updated_at: "",
    },
    attempt: 2,
    run: { turn_number: 3, max_turns: 3, is_continuation: true },
    ci_failure: null,
    review_comments: null,
  };
}

export function miscData(): Record<string, unknown> {
  return {
    m: { a: 1, b: "two", n: null },
    l: [1, "x", null, 2.5, true],
    strs: withGoType(["b", "a"], "[]string"),
    maps: withGoType([{ k: 1 }], MAPS),
    f: 1.5,
    big: new GoFloat(1e21),
    s: "héllo",
    empty: [],
    emptymap: {},
    nested: { inner: { k: "v" } },
    zero: 0,
    t: true,
    nilv: null,
    html: "<a href='x'>&</a>",
    num: 42,
    neg: -7,
  };
}

export const DATASETS = { full: fullData, bare: bareData, misc: miscData } as const;
export type DatasetName = keyof typeof DATASETS;
