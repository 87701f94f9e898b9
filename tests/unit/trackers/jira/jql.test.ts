import { describe, expect, test } from "bun:test";
import {
  byIdsJql,
  byKeysJql,
  byStatesJql,
  candidatesJql,
  jqlList,
  jqlString,
  numericIds,
} from "../../../../src/trackers/jira/jql.ts";
import { clauses, parseJql } from "../../../fakes/jira/jql.ts";

describe("jqlString", () => {
  test.each([
    ["PROJ", '"PROJ"'],
    ["To Do", '"To Do"'],
    ["Won't Do", `"Won't Do"`],
    ['a"b', '"a\\"b"'],
    ["back\\slash", '"back\\\\slash"'],
    ['a"b\\', '"a\\"b\\\\"'],
    ["ends with \\", '"ends with \\\\"'],
    ['"', '"\\""'],
    ["", '""'],
    ["x OR project = OTHER", '"x OR project = OTHER"'],
    ['") OR (project = "OTHER', '"\\") OR (project = \\"OTHER"'],
  ])("%j → %s", (value, quoted) => {
    expect(jqlString(value)).toBe(quoted);
  });

  test.each([
    "PROJ",
    "Won't Do",
    'a"b',
    "back\\slash",
    'a"b\\',
    "trailing\\",
    '") OR (project = "OTHER',
    '\\"',
    "ünïcødé – status",
  ])("a JQL parser reads %j back as exactly one literal with the same value", (value) => {
    const query = parseJql(`project = ${jqlString(value)} AND status IN (${jqlList([value, "To Do"])})`);
    const found = clauses(query.where);
    expect(found).toEqual([
      { type: "clause", field: "project", operator: "=", values: [value] },
      { type: "clause", field: "status", operator: "in", values: [value, "To Do"] },
    ]);
  });
});

describe("query construction", () => {
  test("candidates: project, active states, priority then creation order", () => {
    expect(candidatesJql("PROJ", ["To Do", "In Progress"], "")).toBe(
      'project = "PROJ" AND status IN ("To Do", "In Progress") ORDER BY priority ASC, created ASC',
    );
  });

  test("the query filter is inserted verbatim inside its own parentheses", () => {
    expect(candidatesJql("PROJ", ["To Do"], "labels = 'agent-ready'")).toBe(
      `project = "PROJ" AND status IN ("To Do") AND (labels = 'agent-ready') ORDER BY priority ASC, created ASC`,
    );
    // An OR in the filter cannot widen the query beyond the project and states.
    const jql = candidatesJql("PROJ", ["To Do"], "labels = a OR labels = b");
    expect(jql).toContain("AND (labels = a OR labels = b) ORDER BY");
    const where = parseJql(jql).where;
    expect(where?.type).toBe("and");
  });

  test("a blank query filter adds nothing", () => {
    expect(candidatesJql("PROJ", ["To Do"], "  ")).toBe(
      'project = "PROJ" AND status IN ("To Do") ORDER BY priority ASC, created ASC',
    );
  });

  test("by states: creation order, filter applied, Won't Do quoted", () => {
    expect(byStatesJql("PROJ", ["Done", "Won't Do"], "labels = x")).toBe(
      `project = "PROJ" AND status IN ("Done", "Won't Do") AND (labels = x) ORDER BY created ASC`,
    );
  });

  test("an empty state list gives an empty IN list", () => {
    expect(byStatesJql("PROJ", [], "")).toBe('project = "PROJ" AND status IN () ORDER BY created ASC');
  });

  test("by keys: no project, no filter, every key quoted", () => {
    expect(byKeysJql(["PROJ-1", 'X"Y-2'])).toBe('key IN ("PROJ-1", "X\\"Y-2") ORDER BY key ASC');
  });

  test("by ids: unquoted numbers, trimmed, non-numeric dropped", () => {
    expect(byIdsJql([" 10001", "10002 ", "abc", "1e3", "-5", ""])).toBe(
      "id IN (10001, 10002) ORDER BY key ASC",
    );
    expect(byIdsJql(["abc", " "])).toBeNull();
    expect(byIdsJql([])).toBeNull();
    expect(numericIds(["1", " 2 ", "x"])).toEqual(["1", "2"]);
  });
});
