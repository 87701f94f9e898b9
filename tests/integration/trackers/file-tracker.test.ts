import { afterEach, describe, expect, test } from "bun:test";
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound, SortieError } from "../../../src/domain/errors.ts";
import type { TrackerOperation } from "../../../src/domain/tracker.ts";
import { createTracker } from "../../../src/trackers/registry.ts";
import { fakeClock, recordingLogger, rejectionOf } from "../../unit/trackers/support.ts";
import { FIXTURES, fileTrackerConfig, setupFileTracker, tempDir } from "./file-setup.ts";

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(...args: Parameters<typeof setupFileTracker>) {
  const result = await setupFileTracker(...args);
  dirs.push(result.dir);
  return result;
}

async function readJson(path: string): Promise<Record<string, unknown>[]> {
  return JSON.parse(await readFile(path, "utf8"));
}

function serialised(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function trackerError(promise: Promise<unknown>): Promise<SortieError> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(SortieError);
  return err as SortieError;
}

describe("file tracker configuration", () => {
  test("a missing path fails construction with tracker_payload_error", () => {
    const deps = { fetch, logger: recordingLogger(), now: () => new Date(), cwd: "/" };
    for (const options of [{}, { path: "" }, { path: 42 }]) {
      let error: unknown;
      try {
        createTracker({ ...fileTrackerConfig(), userAgent: "sortie/test", options }, deps);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SortieError);
      expect((error as SortieError).kind).toBe("tracker_payload_error");
      expect((error as SortieError).message).toBe("missing required config key: path");
    }
  });

  test("a relative path resolves against the working directory it was given", async () => {
    const { tracker } = await setup("basic.json");
    expect((await tracker.fetchCandidateIssues()).length).toBe(3);
  });

  test("an unreadable file fails with failed to read file", async () => {
    const { tracker, path } = await setup("basic.json");
    await rm(path);
    const error = await trackerError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toBe(`failed to read file: ${path}`);
  });

  test("a malformed file fails with failed to parse file", async () => {
    const { tracker, path } = await setup("malformed.json");
    const error = await trackerError(tracker.fetchIssueById("x"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toBe(`failed to parse file: ${path}`);
  });
});

describe("file tracker reads", () => {
  test("candidates are the issues in active states, compared case-insensitively, without comments", async () => {
    const { tracker } = await setup("basic.json", { activeStates: ["to do", "IN PROGRESS"] });
    const issues = await tracker.fetchCandidateIssues();
    expect(issues.map((issue) => issue.identifier)).toEqual(["PROJ-1", "PROJ-2"]);
    expect(issues.every((issue) => issue.comments === null)).toBe(true);
  });

  test("with no active states every issue is a candidate", async () => {
    const { tracker } = await setup("example-issues.json");
    expect((await tracker.fetchCandidateIssues()).map((issue) => issue.identifier)).toEqual([
      "PROJ-1",
      "PROJ-2",
      "PROJ-3",
      "PROJ-4",
      "PROJ-5",
    ]);
  });

  test("an empty file has no candidates", async () => {
    const { tracker } = await setup("empty.json");
    expect(await tracker.fetchCandidateIssues()).toEqual([]);
  });

  test("fetchIssueById returns the full issue with fetched comments", async () => {
    const { tracker } = await setup("basic.json");
    const issue = await tracker.fetchIssueById("10001");
    expect(issue.identifier).toBe("PROJ-1");
    expect(issue.comments).toEqual([
      { id: "c1", author: "bob", body: "Needs SSO support.", createdAt: "2026-03-01T10:00:00Z" },
    ]);
    expect(issue.blockedBy).toEqual([{ id: "10002", identifier: "PROJ-2", state: "Done" }]);
    expect((await tracker.fetchIssueById("10003")).comments).toEqual([]);
  });

  test("a missing issue is tracker_not_found", async () => {
    const { tracker } = await setup("basic.json");
    for (const call of [() => tracker.fetchIssueById("nope"), () => tracker.fetchIssueComments("nope")]) {
      const error = await trackerError(call());
      expect(error.kind).toBe("tracker_not_found");
      expect(error.message).toBe("issue not found: nope");
      expect(isNotFound(error)).toBe(true);
    }
  });

  test("fetchIssuesByStates matches case-insensitively and leaves comments unfetched", async () => {
    const { tracker } = await setup("basic.json");
    const issues = await tracker.fetchIssuesByStates(["done", "In progress"]);
    expect(issues.map((issue) => issue.identifier)).toEqual(["PROJ-2", "PROJ-3"]);
    expect(issues.every((issue) => issue.comments === null)).toBe(true);
  });

  test("empty inputs are answered without reading the file", async () => {
    const { tracker, path } = await setup("basic.json");
    await rm(path);
    expect(await tracker.fetchIssuesByStates([])).toEqual([]);
    expect(await tracker.fetchIssueStatesByIds([])).toEqual(new Map());
    expect(await tracker.fetchIssueStatesByIdentifiers([])).toEqual(new Map());
  });

  test("state lookups return the file casing and omit unknown keys", async () => {
    const { tracker } = await setup("basic.json");
    expect(await tracker.fetchIssueStatesByIds(["10001", "10003", "missing"])).toEqual(
      new Map([
        ["10001", "To Do"],
        ["10003", "Done"],
      ]),
    );
    expect(await tracker.fetchIssueStatesByIdentifiers(["PROJ-2", "PROJ-9"])).toEqual(
      new Map([["PROJ-2", "In Progress"]]),
    );
  });

  test("fetchIssueComments returns [] for null comments", async () => {
    const { tracker } = await setup("basic.json");
    expect(await tracker.fetchIssueComments("10003")).toEqual([]);
    expect((await tracker.fetchIssueComments("10001")).map((comment) => comment.id)).toEqual(["c1"]);
  });

  test("an edit to the file applies on the next call", async () => {
    const { tracker, path } = await setup("basic.json");
    expect(await tracker.fetchIssueStatesByIds(["10001"])).toEqual(new Map([["10001", "To Do"]]));
    const issues = await readJson(path);
    issues[0]!.state = "Blocked";
    await writeFile(path, JSON.stringify(issues));
    expect(await tracker.fetchIssueStatesByIds(["10001"])).toEqual(new Map([["10001", "Blocked"]]));
  });

  test("in-place edits that keep the file's size are still seen, call after call", async () => {
    const { tracker, path } = await setup("basic.json");
    const issues = await readJson(path);
    for (const state of ["AAAA", "BBBB", "CCCC", "DDDD"]) {
      issues[0]!.state = state;
      await writeFile(path, JSON.stringify(issues));
      expect(await tracker.fetchIssueStatesByIds(["10001"])).toEqual(new Map([["10001", state]]));
    }
  });

  test("returned issues are copies: changing one does not change the next read", async () => {
    const { tracker } = await setup("basic.json");
    const [first] = await tracker.fetchCandidateIssues();
    first!.state = "Mutated";
    const [again] = await tracker.fetchCandidateIssues();
    expect(again!.state).not.toBe("Mutated");
  });

  test("addLabel is a no-op that leaves the file byte for byte", async () => {
    const { tracker, path } = await setup("basic.json");
    const before = await readFile(path, "utf8");
    await tracker.addLabel("10001", "needs-human");
    await tracker.addLabel("missing", "needs-human");
    expect(await readFile(path, "utf8")).toBe(before);
  });

  test("a call with an aborted signal rejects with the abort reason", async () => {
    const { tracker } = await setup("basic.json");
    const controller = new AbortController();
    const reason = new Error("shutting down");
    controller.abort(reason);
    expect(await rejectionOf(tracker.fetchCandidateIssues(controller.signal))).toBe(reason);
    expect(await rejectionOf(tracker.transitionIssue("10001", "Done", controller.signal))).toBe(reason);
  });
});

describe("file tracker write-back", () => {
  test("a transition writes the target state verbatim and changes nothing else", async () => {
    const { tracker, path } = await setup("basic.json");
    const expected = await readJson(path);
    expected[0]!.state = "Human Review";
    await tracker.transitionIssue("10001", "Human Review");
    expect(await readFile(path, "utf8")).toBe(serialised(expected));
    expect((await tracker.fetchIssueById("10001")).state).toBe("Human Review");
  });

  test("a comment is appended with the next free integer id, author sortie and a UTC timestamp", async () => {
    const { tracker, path, clock } = await setup("basic.json");
    const expected = await readJson(path);
    await tracker.commentIssue("10001", "Agent started.");
    (expected[0]!.comments as unknown[]).push({
      id: "1",
      author: "sortie",
      body: "Agent started.",
      created_at: "2026-03-05T08:30:15Z",
    });
    expect(await readFile(path, "utf8")).toBe(serialised(expected));

    clock.advance(60_000);
    await tracker.commentIssue("10003", "Done here.");
    expected[2]!.comments = [
      { id: "2", author: "sortie", body: "Done here.", created_at: "2026-03-05T08:31:15Z" },
    ];
    expect(await readFile(path, "utf8")).toBe(serialised(expected));
    expect(await tracker.fetchIssueComments("10003")).toEqual([
      { id: "2", author: "sortie", body: "Done here.", createdAt: "2026-03-05T08:31:15Z" },
    ]);
  });

  test("an issue without a comments key gets one", async () => {
    const { tracker, path } = await setup("example-issues.json");
    await tracker.commentIssue("10005", "hello");
    const issues = await readJson(path);
    expect(Object.keys(issues[4]!)).toEqual(["id", "identifier", "title", "state", "comments"]);
    expect(issues[4]!.comments).toEqual([
      { id: "1", author: "sortie", body: "hello", created_at: "2026-03-05T08:30:15Z" },
    ]);
  });

  test("unknown keys and the key order of untouched objects survive a write", async () => {
    const { tracker, path } = await setup("empty.json");
    await writeFile(
      path,
      '[{"state":"To Do","id":"A","x_custom":{"nested":[1,2.50]},"identifier":"A-1","title":"a"},' +
        '{"identifier":"B-1","id":"B","title":"b","state":"To Do","priority":1.0}]',
    );
    await tracker.transitionIssue("A", "Done");
    expect(await readFile(path, "utf8")).toBe(
      [
        "[",
        "  {",
        '    "state": "Done",',
        '    "id": "A",',
        '    "x_custom": {',
        '      "nested": [',
        "        1,",
        "        2.50",
        "      ]",
        "    },",
        '    "identifier": "A-1",',
        '    "title": "a"',
        "  },",
        "  {",
        '    "identifier": "B-1",',
        '    "id": "B",',
        '    "title": "b",',
        '    "state": "To Do",',
        '    "priority": 1.0',
        "  }",
        "]",
        "",
      ].join("\n"),
    );
    expect((await tracker.fetchIssueById("B")).priority).toBeNull();
  });

  test("a hand edit made between two writes survives the second write", async () => {
    const { tracker, path } = await setup("basic.json");
    await tracker.transitionIssue("10001", "In Progress");
    const edited = await readJson(path);
    edited[1]!.title = "Edited by hand";
    (edited[2]!.labels as string[]).push("hand-added");
    await writeFile(path, JSON.stringify(edited));
    await tracker.commentIssue("10001", "second write");
    const after = await readJson(path);
    expect(after[0]!.state).toBe("In Progress");
    expect(after[1]!.title).toBe("Edited by hand");
    expect(after[2]!.labels).toEqual(["hand-added"]);
    expect((after[0]!.comments as { body: string }[]).map((comment) => comment.body)).toEqual([
      "Needs SSO support.",
      "second write",
    ]);
  });

  test("many concurrent transitions and comments all land", async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const { tracker, path } = await setup("empty.json", {}, dir);
    const count = 40;
    const issues = Array.from({ length: count }, (_, index) => ({
      id: `id-${index}`,
      identifier: `C-${index}`,
      title: `issue ${index}`,
      state: "To Do",
    }));
    await writeFile(path, JSON.stringify(issues));
    await Promise.all(
      issues.flatMap((issue, index) => [
        tracker.transitionIssue(issue.id, `State ${index}`),
        tracker.commentIssue(issue.id, `first on ${index}`),
        tracker.commentIssue(issue.id, `second on ${index}`),
      ]),
    );
    const after = await readJson(path);
    expect(after.map((issue) => issue.state)).toEqual(issues.map((_, index) => `State ${index}`));
    const comments = after.flatMap((issue) => issue.comments as { id: string; body: string }[]);
    expect(comments.length).toBe(count * 2);
    expect(new Set(comments.map((comment) => comment.id)).size).toBe(count * 2);
    expect(after.map((issue) => (issue.comments as { body: string }[]).map((c) => c.body))).toEqual(
      issues.map((_, index) => [`first on ${index}`, `second on ${index}`]),
    );
    expect((await readdir(dir)).filter((name) => name !== "issues.json")).toEqual([]);
  });

  test("writes through a symlink replace the link's target and keep the link", async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await mkdir(join(dir, "data"));
    const target = join(dir, "data", "issues.json");
    await writeFile(target, await readFile(join(FIXTURES, "basic.json")));
    const link = join(dir, "link.json");
    await symlink(target, link);
    const logger = recordingLogger();
    const tracker = createTracker(
      { ...fileTrackerConfig(), userAgent: "sortie/test", options: { path: link } },
      { fetch, logger, now: fakeClock().now, cwd: "/" },
    );
    await tracker.transitionIssue("10002", "Done");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readJson(target))[1]!.state).toBe("Done");
    expect((await readdir(dir)).sort()).toEqual(["data", "link.json"]);
    expect(await readdir(join(dir, "data"))).toEqual(["issues.json"]);
    expect(logger.records).toEqual([]);
  });

  test("the file keeps its permission bits", async () => {
    const { tracker, path } = await setup("basic.json");
    await chmod(path, 0o640);
    await tracker.transitionIssue("10001", "Done");
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  test("a malformed current file fails the write and leaves the file untouched", async () => {
    const { tracker, path, dir } = await setup("basic.json");
    const broken = '[{"id": "10001", "state": "To Do",]';
    await writeFile(path, broken);
    for (const call of [
      () => tracker.transitionIssue("10001", "Done"),
      () => tracker.commentIssue("10001", "x"),
    ]) {
      const error = await trackerError(call());
      expect(error.kind).toBe("tracker_payload_error");
      expect(error.message).toBe(`failed to parse file: ${path}`);
    }
    expect(await readFile(path, "utf8")).toBe(broken);
    expect(await readdir(dir)).toEqual(["issues.json"]);
  });

  test("writing to a missing issue is tracker_not_found and leaves the file untouched", async () => {
    const { tracker, path } = await setup("basic.json");
    const before = await readFile(path, "utf8");
    for (const call of [
      () => tracker.transitionIssue("nope", "Done"),
      () => tracker.commentIssue("nope", "x"),
    ]) {
      const error = await trackerError(call());
      expect(error.kind).toBe("tracker_not_found");
      expect(error.message).toBe("issue not found: nope");
    }
    expect(await readFile(path, "utf8")).toBe(before);
  });

  test("a second adapter on the same file sees the first one's writes", async () => {
    const { tracker, path, dir } = await setup("basic.json");
    const sidecar = createTracker(
      { ...fileTrackerConfig(), userAgent: "sortie-mcp/test", options: { path } },
      { fetch, logger: recordingLogger(), now: fakeClock().now, cwd: dir },
    );
    await sidecar.transitionIssue("10001", "Human Review");
    expect(await tracker.fetchIssueStatesByIds(["10001"])).toEqual(new Map([["10001", "Human Review"]]));
  });
});

describe("file tracker metrics", () => {
  test("counts one request per logical call, not no-ops or empty inputs", async () => {
    const { tracker } = await setup("basic.json");
    const counted: [TrackerOperation, string][] = [];
    tracker.setMetrics?.({ trackerRequest: (operation, result) => counted.push([operation, result]) });
    await tracker.fetchCandidateIssues();
    await tracker.fetchIssueById("10001");
    await rejectionOf(tracker.fetchIssueById("nope"));
    await tracker.fetchIssuesByStates([]);
    await tracker.fetchIssueStatesByIds([]);
    await tracker.fetchIssueStatesByIdentifiers([]);
    await tracker.fetchIssueStatesByIds(["10001"]);
    await tracker.addLabel("10001", "x");
    await tracker.transitionIssue("10001", "Done");
    await tracker.commentIssue("10001", "x");
    expect(counted).toEqual([
      ["fetch_candidates", "success"],
      ["fetch_issue", "success"],
      ["fetch_issue", "error"],
      ["fetch_states_by_ids", "success"],
      ["transition", "success"],
      ["comment", "success"],
    ]);
  });
});
