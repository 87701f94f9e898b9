import { describe, expect, test } from "bun:test";
import {
  DEFAULT_ETAG_CACHE_SIZE,
  EtagCache,
  etagCacheSize,
} from "../../../../src/trackers/github/etag-cache.ts";

describe("EtagCache", () => {
  test("evicts the least recently used entry beyond its capacity", () => {
    const cache = new EtagCache(2);
    cache.set("a", { etag: '"1"', state: "backlog" });
    cache.set("b", { etag: '"2"', state: "review" });
    expect(cache.get("a")?.state).toBe("backlog");
    cache.set("c", { etag: '"3"', state: "done" });
    expect([cache.get("a")?.etag, cache.get("b"), cache.get("c")?.etag]).toEqual(['"1"', undefined, '"3"']);
    expect(cache.size).toBe(2);
  });

  test("touch refreshes an entry's position; set replaces an entry", () => {
    const cache = new EtagCache(2);
    cache.set("a", { etag: '"1"', state: "backlog" });
    cache.set("b", { etag: '"2"', state: "review" });
    cache.touch("a");
    cache.set("b", { etag: '"2b"', state: "done" });
    cache.set("c", { etag: '"3"', state: "done" });
    expect([cache.get("a"), cache.get("b")?.etag]).toEqual([undefined, '"2b"']);
  });

  test("capacity 0 stores nothing", () => {
    const cache = new EtagCache(0);
    cache.set("a", { etag: '"1"', state: "backlog" });
    expect([cache.enabled, cache.get("a"), cache.size]).toEqual([false, undefined, 0]);
  });

  test("entries are copies: mutating what was stored does not change the cache", () => {
    const cache = new EtagCache(1);
    const entry = { etag: '"1"', state: "backlog" };
    cache.set("a", entry);
    entry.state = "done";
    expect(cache.get("a")?.state).toBe("backlog");
  });
});

describe("etagCacheSize", () => {
  test.each([
    [500, 500],
    [0, 0],
    [250.0, 250],
    [-1, DEFAULT_ETAG_CACHE_SIZE],
    [2.5, DEFAULT_ETAG_CACHE_SIZE],
    ["500", DEFAULT_ETAG_CACHE_SIZE],
    [null, DEFAULT_ETAG_CACHE_SIZE],
    [undefined, DEFAULT_ETAG_CACHE_SIZE],
    [Number.NaN, DEFAULT_ETAG_CACHE_SIZE],
  ])("%p → %p", (value, expected) => {
    expect(etagCacheSize(value)).toBe(expected);
  });
});
