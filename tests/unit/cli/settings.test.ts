import { describe, expect, test } from "bun:test";
import type { RunOptions } from "../../../src/cli/options.ts";
import { resolveListen, resolveLogging, unsupportedFeatures } from "../../../src/cli/settings.ts";
import type { ServiceConfig } from "../../../src/config/index.ts";

const options = (extra: Partial<RunOptions> = {}): RunOptions => ({
  workflowPath: "/w/WORKFLOW.md",
  dryRun: false,
  ...extra,
});
const withExtensions = (extensions: Record<string, unknown>) => ({ extensions }) as unknown as ServiceConfig;

describe("resolveListen", () => {
  test("defaults to 127.0.0.1:7678 with an implicit port", () => {
    expect(resolveListen(options(), withExtensions({}))).toEqual({
      host: "127.0.0.1",
      port: 7678,
      explicitPort: false,
    });
  });

  test("the server block makes the port explicit; flags beat it", () => {
    const cfg = withExtensions({ server: { port: 9000, host: "0.0.0.0" } });
    expect(resolveListen(options(), cfg)).toEqual({ host: "0.0.0.0", port: 9000, explicitPort: true });
    expect(resolveListen(options({ port: 0, host: "::1" }), cfg)).toEqual({
      host: "::1",
      port: 0,
      explicitPort: true,
    });
  });

  test("bad values give the original's messages", () => {
    expect(resolveListen(options({ port: 70000 }), withExtensions({}))).toEqual({
      message: "server port configuration error",
      error: "invalid --port value 70000: must be between 0 and 65535",
    });
    expect(resolveListen(options({ host: "localhost" }), withExtensions({}))).toEqual({
      message: "server host configuration error",
      error: 'invalid --host value "localhost": not a valid IP address',
    });
    expect(resolveListen(options(), withExtensions({ server: { port: "80" } }))).toMatchObject({
      message: "server port configuration error",
      error: "invalid server.port value: unsupported type string, must be an integer",
    });
  });
});

describe("resolveLogging", () => {
  test("flags beat the logging block, which beats info/text", () => {
    const cfg = withExtensions({ logging: { level: "DEBUG", format: "json" } });
    expect(resolveLogging(options(), null)).toEqual({ level: "info", format: "text" });
    expect(resolveLogging(options(), cfg)).toEqual({ level: "debug", format: "json" });
    expect(resolveLogging(options({ logLevel: "warn", logFormat: "text" }), cfg)).toEqual({
      level: "warn",
      format: "text",
    });
  });

  test("an unknown value is the error line", () => {
    expect(resolveLogging(options({ logLevel: "loud" }), null)).toBe(
      'unknown log level "loud": accepted values are debug, info, warn, error',
    );
    expect(resolveLogging(options(), withExtensions({ logging: { format: 3 } }))).toBe(
      "invalid logging.format: expected string, got int",
    );
  });
});

describe("unsupportedFeatures", () => {
  const base = {
    extensions: {},
    ciFeedback: { kind: "" },
    reactions: {},
    selfReview: { enabled: false },
  };

  test("nothing is reported for a workflow that uses none of them", () => {
    expect(unsupportedFeatures(base as unknown as ServiceConfig)).toEqual([]);
  });

  test("each switched-on feature that is not built is named", () => {
    const cfg = {
      extensions: { worker: { ssh_hosts: ["builder-1"] } },
      ciFeedback: { kind: "github" },
      reactions: { review_comments: { provider: "github" } },
      selfReview: { enabled: true },
    } as unknown as ServiceConfig;
    expect(unsupportedFeatures(cfg)).toEqual([
      "reactions.ci_failure (ci_feedback)",
      "reactions.review_comments",
      "self_review",
      "worker.ssh_hosts",
    ]);
  });
});
