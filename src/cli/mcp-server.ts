// `sortie mcp-server --workflow <abs>`: the tool server an agent CLI starts from the workspace's
// `.sortie/mcp.json`. Stdout carries only JSON-RPC frames; logs go to stderr (text, INFO, fixed).
import { dirname, isAbsolute } from "node:path";
import { getLogger } from "@logtape/logtape";
import { ConfigBuildError, type LoadedWorkflow, loadWorkflow, WorkflowError } from "../config/index.ts";
import { errorMessage } from "../domain/errors.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import { configureLogging } from "../logging/setup.ts";
import { buildSessionTools, serveMcp } from "../mcp/index.ts";
import { openStore } from "../persistence/index.ts";
import { lookupTrackerKind, trackerStateDefaults, unknownTrackerKindMessage } from "../trackers/registry.ts";
import { buildTrackerAdapter } from "./adapters.ts";
import { FlagError, parseFlags } from "./flags.ts";
import { MCP_SERVER_HELP } from "./help.ts";
import { wantsSubcommandHelp } from "./intercept.ts";
import type { CliIO } from "./io.ts";
import { VERSION } from "./version.ts";

export interface McpServerStreams {
  /** The client's requests; the process's stdin by default. */
  stdin?: ReadableStream<Uint8Array>;
  /** Where log lines go; stderr by default. */
  logWrite?: (line: string) => void;
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`sortie mcp-server: ${message}\n`);
  return 1;
}

export async function mcpServerCommand(
  args: readonly string[],
  io: CliIO,
  streams: McpServerStreams = {},
): Promise<number> {
  if (wantsSubcommandHelp(args)) {
    io.stdout(MCP_SERVER_HELP);
    return 0;
  }
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args, [{ name: "workflow", kind: "string" }]);
  } catch (err) {
    return usageError(io, err instanceof FlagError ? err.message : errorMessage(err));
  }
  if (parsed.helpRequested) {
    io.stdout(MCP_SERVER_HELP);
    return 0;
  }
  // Positionals are ignored, as in the original.
  const workflowPath = String(parsed.values.get("workflow") ?? "");
  if (workflowPath === "") return usageError(io, "--workflow flag is required");
  if (!isAbsolute(workflowPath)) return usageError(io, "--workflow must be an absolute path");

  // A signal ends serving with exit 0; the handler goes in before anything slow happens.
  const shutdown = new AbortController();
  io.signals.handle((_signal, count) => {
    if (count >= 2) io.exit(0);
    shutdown.abort(new Error("signal received"));
  });

  configureLogging({
    level: "info",
    format: "text",
    ...(streams.logWrite ? { write: streams.logWrite } : {}),
  });
  const log = getLogger(["sortie", "mcp"]);

  let loaded: LoadedWorkflow;
  try {
    loaded = await loadWorkflow({
      workflowPath,
      env: io.env,
      cwd: io.cwd,
      homeDir: io.env.HOME,
      stateDefaults: trackerStateDefaults,
    });
  } catch (err) {
    const configProblem =
      err instanceof ConfigBuildError || (err instanceof WorkflowError && err.kind === "config_error");
    log.error(configProblem ? "failed to parse config" : "failed to load workflow", {
      error: errorMessage(err),
    });
    return 1;
  }
  const { config } = loaded;

  let tracker: TrackerAdapter | null = null;
  const kind = config.tracker.kind;
  if (kind !== "") {
    if (lookupTrackerKind(kind) === undefined) {
      log.error("unknown tracker kind", { kind, error: unknownTrackerKindMessage(kind) });
      return 1;
    }
    try {
      // Relative adapter paths (the file tracker's issues file) resolve as in the orchestrator,
      // not against the agent's working directory.
      tracker = buildTrackerAdapter(config, `sortie-mcp/${VERSION}`, { cwd: dirname(workflowPath) });
    } catch (err) {
      log.error("failed to construct tracker adapter", { kind, error: errorMessage(err) });
      return 1;
    }
  }

  const session = await buildSessionTools({
    tracker,
    project: config.tracker.project,
    workspace: io.env.SORTIE_WORKSPACE ?? "",
    dbPath: io.env.SORTIE_DB_PATH ?? "",
    issueId: io.env.SORTIE_ISSUE_ID ?? "",
    openReadonlyStore: (path) => openStore(path, { readonly: true }),
    logger: log,
  });

  let code = 0;
  try {
    await serveMcp({
      input: streams.stdin ?? Bun.stdin.stream(),
      write: io.stdout,
      tools: session.tools,
      version: VERSION,
      signal: shutdown.signal,
      logger: log,
    });
  } catch (err) {
    log.error("MCP server error", { error: errorMessage(err) });
    code = 1;
  }
  await session.close().catch(() => {});
  await tracker?.close?.().catch(() => {});
  return code;
}
