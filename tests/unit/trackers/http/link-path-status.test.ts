import { describe, expect, test } from "bun:test";
import { parseLinkNext } from "../../../../src/trackers/http/link.ts";
import { apiPath, encodeSegment } from "../../../../src/trackers/http/path.ts";
import { defaultStatusMapping, retryAfterSuffix } from "../../../../src/trackers/http/status.ts";

describe("parseLinkNext", () => {
  test.each([
    [
      '<https://api.example.com/x?page=2>; rel="next", <https://api.example.com/x?page=9>; rel="last"',
      "https://api.example.com/x?page=2",
    ],
    ['<https://a/x?page=9>; rel="last", <https://a/x?page=3>; rel="next"', "https://a/x?page=3"],
    ['<https://a/x?page=3>; REL="NEXT"', "https://a/x?page=3"],
    ['<https://a/x?page=3>; title="t"; rel="next"', "https://a/x?page=3"],
    ['<https://a/x?page=3>; rel="prev"', null],
    ["<https://a/x?page=3>; rel=next", null],
    ["<https://a/x?page=3>", null],
    ["", null],
    [null, null],
  ])("%p → %p", (header, expected) => {
    expect(parseLinkNext(header)).toBe(expected);
  });
});

describe("path segments", () => {
  test("encode slashes, spaces and other reserved characters", () => {
    expect(encodeSegment("needs review/ui")).toBe("needs%20review%2Fui");
    expect(encodeSegment(42)).toBe("42");
    expect(apiPath`/repos/${"o"}/${"r"}/issues/${7}/labels/${"a?b#c"}`).toBe(
      "/repos/o/r/issues/7/labels/a%3Fb%23c",
    );
  });
});

describe("defaultStatusMapping", () => {
  const info = (status: number, headers: Record<string, string> = {}) => ({
    method: "GET",
    path: "/x",
    status,
    headers: new Headers(headers),
    body: "body",
  });

  test.each([
    [400, "tracker_payload_error", "bad request: body"],
    [401, "tracker_auth_error", "401"],
    [404, "tracker_not_found", "not found"],
    [410, "tracker_api_error", "gone (410): body"],
    [422, "tracker_payload_error", "validation failed: body"],
    [429, "tracker_api_error", "rate limited"],
    [500, "tracker_transport_error", "server error 500: body"],
    [302, "tracker_api_error", "unexpected status 302: body"],
  ])("%d → %s %s", (status, kind, detail) => {
    expect(defaultStatusMapping(info(status))).toEqual({ kind: kind as never, detail });
  });

  test("a 429 names Retry-After", () => {
    expect(defaultStatusMapping(info(429, { "retry-after": "17" })).detail).toBe(
      "rate limited (retry after 17 seconds)",
    );
    expect(retryAfterSuffix(new Headers())).toBe("");
  });
});
