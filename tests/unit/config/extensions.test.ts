import { describe, expect, test } from "bun:test";
import {
  isIpLiteral,
  parseLogFormat,
  parseLoggingExtension,
  parseLogLevel,
  parseReviewCommentsExtras,
  parseServerExtension,
  parseTokenRates,
  parseWorkerExtension,
  passThroughBlock,
  providerConfigMap,
} from "../../../src/config/extensions.ts";
import { Secret } from "../../../src/config/secret.ts";

describe("server extension", () => {
  test("defaults when the block or key is absent or the block is not a map", () => {
    for (const extensions of [{}, { server: "x" }, { server: {} }]) {
      expect(parseServerExtension(extensions)).toEqual({
        port: { ok: true, value: { port: 7678, explicit: false } },
        host: { ok: true, value: { host: "127.0.0.1", explicit: false } },
      });
    }
  });

  test("a present port is explicit, even when it equals the default; integral floats are accepted", () => {
    expect(parseServerExtension({ server: { port: 7678 } }).port).toEqual({
      ok: true,
      value: { port: 7678, explicit: true },
    });
    expect(parseServerExtension({ server: { port: 8080.0 } }).port).toEqual({
      ok: true,
      value: { port: 8080, explicit: true },
    });
    expect(parseServerExtension({ server: { port: 0 } }).port).toEqual({
      ok: true,
      value: { port: 0, explicit: true },
    });
  });

  const portErrors: [unknown, string][] = [
    ["8080", "invalid server.port value: unsupported type string, must be an integer"],
    [null, "invalid server.port value: unsupported type <nil>, must be an integer"],
    [80.5, "invalid server.port value 80.5: must be an integer"],
    [70000, "invalid server.port value 70000: must be between 0 and 65535"],
    [-1, "invalid server.port value -1: must be between 0 and 65535"],
  ];
  for (const [port, error] of portErrors) {
    test(error, () => {
      expect(parseServerExtension({ server: { port } }).port).toEqual({ ok: false, error });
    });
  }

  test("host must be an IP literal string", () => {
    expect(parseServerExtension({ server: { host: "0.0.0.0" } }).host).toEqual({
      ok: true,
      value: { host: "0.0.0.0", explicit: true },
    });
    expect(parseServerExtension({ server: { host: "::" } }).host.ok).toBe(true);
    expect(parseServerExtension({ server: { host: 1 } }).host).toEqual({
      ok: false,
      error: "invalid server.host value: unsupported type int, must be a string",
    });
    expect(parseServerExtension({ server: { host: "localhost" } }).host).toEqual({
      ok: false,
      error: 'invalid server.host value "localhost": not a valid IP address',
    });
  });

  test("isIpLiteral mirrors Go net.ParseIP", () => {
    for (const ok of ["127.0.0.1", "::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"])
      expect(isIpLiteral(ok)).toBe(true);
    for (const bad of ["[::1]", "fe80::1%eth0", "01.2.3.4", "1.2.3", "example.com", ""])
      expect(isIpLiteral(bad)).toBe(false);
  });
});

describe("logging extension", () => {
  test("levels and formats are case-insensitive and not trimmed", () => {
    expect(parseLogLevel("DEBUG")).toEqual({ ok: true, value: "debug" });
    expect(parseLogLevel("Warn")).toEqual({ ok: true, value: "warn" });
    expect(parseLogLevel(" info")).toEqual({
      ok: false,
      error: 'unknown log level " info": accepted values are debug, info, warn, error',
    });
    expect(parseLogLevel("warning").ok).toBe(false);
    expect(parseLogFormat("JSON")).toEqual({ ok: true, value: "json" });
    expect(parseLogFormat("xml")).toEqual({
      ok: false,
      error: 'unknown log format "xml": accepted values are text, json',
    });
  });

  test("absent, null, or a non-map block means not configured", () => {
    const none = { level: { ok: true, value: null }, format: { ok: true, value: null } } as const;
    expect(parseLoggingExtension({})).toEqual(none);
    expect(parseLoggingExtension({ logging: [1] })).toEqual(none);
    expect(parseLoggingExtension({ logging: { level: null, format: null } })).toEqual(none);
  });

  test("values and type errors", () => {
    expect(parseLoggingExtension({ logging: { level: "error", format: "json" } })).toEqual({
      level: { ok: true, value: "error" },
      format: { ok: true, value: "json" },
    });
    expect(parseLoggingExtension({ logging: { level: 3, format: true } })).toEqual({
      level: { ok: false, error: "invalid logging.level: expected string, got int" },
      format: { ok: false, error: "invalid logging.format: expected string, got bool" },
    });
  });
});

describe("worker extension", () => {
  test("absent block: local mode", () => {
    expect(parseWorkerExtension({})).toEqual({
      value: { sshHosts: [], maxConcurrentAgentsPerHost: 0, sshStrictHostKeyChecking: "accept-new" },
      warnings: [],
    });
  });

  test("hosts: non-empty strings, de-duplicated in order; per-host cap: positive integers only", () => {
    const { value } = parseWorkerExtension({
      worker: { ssh_hosts: ["a", "", 3, "b", "a"], max_concurrent_agents_per_host: 2.0 },
    });
    expect(value.sshHosts).toEqual(["a", "b"]);
    expect(value.maxConcurrentAgentsPerHost).toBe(2);
    for (const cap of ["2", 0, -1, 1.5]) {
      expect(
        parseWorkerExtension({ worker: { max_concurrent_agents_per_host: cap } }).value
          .maxConcurrentAgentsPerHost,
      ).toBe(0);
    }
  });

  test("ssh_strict_host_key_checking: normalised, with warnings for bad values", () => {
    expect(
      parseWorkerExtension({ worker: { ssh_strict_host_key_checking: " YES " } }).value
        .sshStrictHostKeyChecking,
    ).toBe("yes");
    expect(parseWorkerExtension({ worker: { ssh_strict_host_key_checking: "ask" } })).toEqual({
      value: { sshHosts: [], maxConcurrentAgentsPerHost: 0, sshStrictHostKeyChecking: "accept-new" },
      warnings: [
        {
          message: "rejected unrecognized ssh_strict_host_key_checking value",
          attributes: { value: "ask", default: "accept-new" },
        },
      ],
    });
    expect(parseWorkerExtension({ worker: { ssh_strict_host_key_checking: 42 } }).warnings).toEqual([
      {
        message: "received non-string ssh_strict_host_key_checking, using default",
        attributes: { default: "accept-new" },
      },
    ]);
  });
});

describe("token rates", () => {
  test("valid entries are kept; bad entries are skipped with warnings", () => {
    const result = parseTokenRates({
      token_rates: {
        "claude-code": { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3 },
        codex: { input_per_mtok: "cheap" },
        opencode: { output_per_mtok: -1.5 },
        mock: "free",
      },
    });
    expect(result.rates).toEqual({
      "claude-code": { inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3 },
    });
    expect(result.warnings).toEqual([
      "token_rates.codex.input_per_mtok: expected number, got string",
      "token_rates.mock: expected map, got string",
      "token_rates.opencode.output_per_mtok: negative rate -1.5",
    ]);
  });

  test("a non-map block is one warning; absent is nothing", () => {
    expect(parseTokenRates({ token_rates: [1] })).toEqual({
      rates: {},
      warnings: ["token_rates: expected map, got []interface {}"],
    });
    expect(parseTokenRates({})).toEqual({ rates: {}, warnings: [] });
  });
});

describe("pass-through blocks", () => {
  const extensions = {
    "claude-code": { model: "opus", command: "evil", max_turns: 5 },
    github: { etag_cache_size: 10 },
  };

  test("keys of the block named after the kind, minus typed keys", () => {
    expect(passThroughBlock(extensions, "claude-code", ["kind", "command"])).toEqual({
      model: "opus",
      max_turns: 5,
    });
    expect(passThroughBlock(extensions, "codex")).toEqual({});
    expect(passThroughBlock({ mock: "text" }, "mock")).toEqual({});
    expect(passThroughBlock(extensions, "")).toEqual({});
  });

  test("a CI/SCM provider gets the tracker's credentials when its kind is the tracker's kind", () => {
    const tracker = { kind: "github", apiKey: new Secret("tok"), project: "o/r", endpoint: "" };
    expect(
      providerConfigMap("github", extensions, tracker, { poll_interval_ms: 1, etag_cache_size: 99 }),
    ).toEqual({
      etag_cache_size: 10,
      api_key: "tok",
      project: "o/r",
      poll_interval_ms: 1,
    });
    expect(providerConfigMap("github", extensions, { ...tracker, kind: "jira" })).toEqual({
      etag_cache_size: 10,
    });
  });
});

describe("reactions.review_comments extras", () => {
  test("defaults", () => {
    expect(parseReviewCommentsExtras({})).toEqual({
      ok: true,
      value: { pollIntervalMs: 120_000, debounceMs: 60_000, maxContinuationTurns: 3 },
    });
  });

  const errors: [Record<string, unknown>, string][] = [
    [{ poll_interval_ms: "60000" }, "invalid poll_interval_ms: expected numeric value, got string"],
    [
      { poll_interval_ms: 60000.5 },
      "invalid poll_interval_ms: expected integer value, got fractional 60000.5",
    ],
    [{ poll_interval_ms: 1000 }, "poll_interval_ms must be >= 30000, got 1000"],
    [{ debounce_ms: -1 }, "debounce_ms must be non-negative, got -1"],
    [{ max_continuation_turns: 0 }, "max_continuation_turns must be positive, got 0"],
  ];
  for (const [extra, error] of errors) {
    test(error, () => {
      expect(parseReviewCommentsExtras(extra)).toEqual({ ok: false, error });
    });
  }
});
