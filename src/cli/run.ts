// `sortie [flags] [workflow-path]`: the long-running orchestrator. Start-up follows the Go
// original's order (so logs and failures look the same), except that the HTTP listener binds as
// soon as host and port are known and answers "not ready" until start-up has finished.
import { dirname, resolve } from "node:path";
import { getLogger, type Logger } from "@logtape/logtape";
import { resolveAgentHome } from "../agents/home.ts";
import { createAgentAdapter } from "../agents/registry.ts";
import type { DynamicTool } from "../agents/types.ts";
import {
  ConfigBuildError,
  logReloadResult,
  parseTokenRates,
  type ServiceConfig,
  WORKFLOW_WATCHER_ERROR,
  WorkflowManager,
  watchWorkflowDirectory,
} from "../config/index.ts";
import { errorMessage } from "../domain/errors.ts";
import { configureLogging } from "../logging/setup.ts";
import { type AgentTool, callTool, mcpConfigWriter, orchestratorTools, toolRegistry } from "../mcp/index.ts";
import { NO_METRICS, type OrchestratorMetrics } from "../orchestrator/metrics.ts";
import { Orchestrator } from "../orchestrator/orchestrator.ts";
import { runPreflight } from "../orchestrator/preflight.ts";
import { restorePersistedState } from "../orchestrator/warm-start.ts";
import { bindWorkspace } from "../orchestrator/workspace-ops.ts";
import { openStore, persistenceHint, type Store } from "../persistence/index.ts";
import type { ShutdownSignal } from "../platform/signals.ts";
import { signalLogName } from "../platform/signals.ts";
import { type PromptTemplate, parsePromptTemplate, renderTurnPrompt } from "../prompt/index.ts";
import { createApp } from "../server/app.ts";
import { formatAddr, type HttpServerHandle, startHttpServer } from "../server/listener.ts";
import { createPrometheusMetrics } from "../server/metrics.ts";
import { trackerStateDefaults } from "../trackers/registry.ts";
import { issueSessionEnv } from "../workspace/index.ts";
import { adapterCatalog, buildAgentConfig, buildTrackerAdapter } from "./adapters.ts";
import { DeferredView } from "./deferred-view.ts";
import { runDryRun } from "./dry-run.ts";
import type { CliIO } from "./io.ts";
import type { RunOptions } from "./options.ts";
import { levelLabel, resolveListen, resolveLogging, unsupportedFeatures } from "./settings.ts";
import { storeHistory } from "./store-history.ts";
import { VERSION } from "./version.ts";

/** An orchestrator tool in the shape adapters call directly. */
function dynamicTool(tool: AgentTool): DynamicTool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    execute: async (args, signal) => {
      const outcome = await callTool(tool, args, signal);
      return { success: !outcome.failed, output: outcome.text };
    },
  };
}

export async function runCommand(options: RunOptions, io: CliIO): Promise<number> {
  const view = new DeferredView();
  let orchestrator: Orchestrator | null = null;
  let log: Logger = getLogger(["sortie"]);
  let resolveShutdown!: (signal: ShutdownSignal) => void;
  const shutdownRequested = new Promise<ShutdownSignal>((resolve) => {
    resolveShutdown = resolve;
  });
  let signalled = false;
  io.signals.handle((signal, count) => {
    if (count >= 2) {
      // A second signal during the drain: no more waiting, and no orphaned agents.
      orchestrator?.killAgentsNow();
      io.exit(1);
      return;
    }
    signalled = true;
    log.info("signal received, initiating shutdown", { signal: signalLogName(signal), pid: process.pid });
    view.markDraining();
    resolveShutdown(signal);
  });

  // Step 4: the .env file is also what the MCP sidecar reads, through SORTIE_ENV_FILE.
  if (options.envFile !== undefined) io.env.SORTIE_ENV_FILE = resolve(io.cwd, options.envFile);

  // Step 5: logging from the flags, before anything can log.
  const early = resolveLogging(options, null);
  if (typeof early === "string") {
    io.stderr(`sortie: ${early}\n`);
    return 1;
  }
  configureLogging(early);
  log = getLogger(["sortie"]);

  // Step 6: load the workflow (all config errors at once, one line each).
  const manager = newWorkflowManager(options, io);
  try {
    await manager.load();
  } catch (err) {
    const lines = err instanceof ConfigBuildError ? err.lines() : [errorMessage(err)];
    for (const line of lines) io.stderr(`sortie: ${line}\n`);
    return 1;
  }
  let config = manager.current().config;

  // Step 7: watch the directory (any event, including a ConfigMap `..data` swap).
  const watcher = watchWorkflowDirectory(
    options.workflowPath,
    () => {
      void manager.reload("watch").then((r) => logReloadResult(r, manager.path, log));
    },
    { onError: (error) => log.error(WORKFLOW_WATCHER_ERROR, { error: errorMessage(error) }) },
  );
  // Teardown in the documented order: HTTP (2 s grace), then the database (WAL checkpoint), then
  // the watcher. Each step runs only if start-up got that far.
  let http: HttpServerHandle | null = null;
  let store: Store | null = null;
  const finish = async (code: number): Promise<number> => {
    await http?.stop(2000).catch(() => {});
    if (store) {
      await store.checkpoint().catch(() => undefined);
      await store.close().catch(() => {});
    }
    watcher.close();
    return code;
  };

  // Step 8: dispatch preflight.
  const catalog = adapterCatalog(io.env);
  const preflight = await runPreflight(config, catalog);
  if (!preflight.ok) {
    log.error("dispatch preflight failed", { error: preflight.message });
    return finish(1);
  }

  // Step 9: the workflow's logging block applies when no flag was given.
  const logging = resolveLogging(options, config);
  if (typeof logging === "string") {
    io.stderr(`sortie: ${logging}\n`);
    return finish(1);
  }
  if (logging.level !== early.level || logging.format !== early.format) configureLogging(logging);

  // Step 10: HTTP host and port (flag > server block > default).
  const listen = resolveListen(options, config);
  if ("error" in listen) {
    log.error(listen.message, { error: listen.error });
    return finish(1);
  }
  const { host, port, explicitPort } = listen;

  // Metrics exist only with the server; bind early, report not-ready until start-up ends.
  let metrics: OrchestratorMetrics = NO_METRICS;
  const history = storeHistory(() => store);
  if (port !== 0 && !options.dryRun) {
    const tokenRates = parseTokenRates(config.extensions);
    for (const detail of tokenRates.warnings) log.warn("skipped invalid token rate entry", { detail });
    const prom = createPrometheusMetrics({ version: VERSION });
    const app = createApp({
      view,
      version: VERSION,
      startedAt: new Date(),
      dbPing: async () => {
        if (!store) return false;
        await store.ping();
        return true;
      },
      history,
      metrics: { registry: prom.registry },
      tokenRates: tokenRates.rates,
      logger: getLogger(["sortie", "server"]),
    });
    try {
      http = startHttpServer({ app, host, port, explicitPort, logger: getLogger(["sortie", "server"]) });
    } catch (err) {
      log.error("http server listen failed", { addr: formatAddr(host, port), error: errorMessage(err) });
      return finish(1);
    }
    if (http) metrics = prom.recorder;
  }

  // Step 11: the tracker adapter.
  const userAgent = `sortie/${VERSION}`;
  const workflowDir = dirname(options.workflowPath);
  const buildTracker = (cfg: ServiceConfig) => {
    const tracker = buildTrackerAdapter(cfg, userAgent, { cwd: workflowDir });
    tracker.setMetrics?.(metrics);
    return tracker;
  };
  let tracker: ReturnType<typeof buildTracker>;
  try {
    tracker = buildTracker(config);
  } catch (err) {
    log.error("failed to construct tracker adapter", { kind: config.tracker.kind, error: errorMessage(err) });
    return finish(1);
  }

  // Step 12 (a dry run branches off here: no database, no agents, no HTTP).
  if (options.dryRun) {
    log.info("sortie dry-run starting", {
      version: VERSION,
      workflow_path: options.workflowPath,
      ...(logging.level !== "info" ? { log_level: levelLabel(logging.level) } : {}),
      ...(logging.format !== "text" ? { log_format: logging.format } : {}),
    });
    const dryRunAbort = new AbortController();
    void shutdownRequested.then(() => dryRunAbort.abort(new Error("interrupted")));
    return finish(await runDryRun(config, tracker, log, dryRunAbort.signal));
  }
  log.info("sortie starting", {
    version: VERSION,
    workflow_path: options.workflowPath,
    ...(http ? { server_addr: http.addr } : {}),
    ...(logging.level !== "info" ? { log_level: levelLabel(logging.level) } : {}),
    ...(logging.format !== "text" ? { log_format: logging.format } : {}),
  });

  // Step 13: the database, crash recovery and the warm-start line.
  const dbPath = config.dbPath;
  log.info("database path resolved", { db_path: dbPath });
  try {
    store = await openStore(dbPath);
  } catch (err) {
    log.error("failed to open database", {
      db_path: dbPath,
      error: errorMessage(err),
      hint: persistenceHint(err) ?? "",
    });
    return finish(1);
  }
  let warm: Awaited<ReturnType<typeof restorePersistedState>>;
  try {
    warm = await restorePersistedState(store, { dbPath, agentCommand: config.agent.command, log });
  } catch (err) {
    log.error("failed to load retry entries", { db_path: dbPath, error: errorMessage(err) });
    return finish(1);
  }

  // Step 14: a writable HOME for agents, then the agent adapter.
  let agentHome: string | undefined;
  try {
    const home = resolveAgentHome({ home: io.env.HOME, configuredHomeDir: config.agent.homeDir, dbPath });
    if (home.redirected) {
      agentHome = home.home;
      log.info("agent home redirected", { home: home.home, reason: home.reason ?? "" });
    }
  } catch (err) {
    const e = err as { home?: string; hint?: string };
    log.error("agent home not writable", {
      home: e.home ?? "",
      error: errorMessage(err),
      hint: e.hint ?? "",
    });
    return finish(1);
  }
  const baseEnv = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  // Adapters that take tools directly (Codex) get sortie's tools over their own tracker adapter,
  // as the MCP sidecar does for the others.
  const buildAgent = (cfg: ServiceConfig) =>
    createAgentAdapter(buildAgentConfig(cfg), {
      logger: getLogger(["sortie", "agent"]),
      baseEnv,
      tools: orchestratorTools(cfg, buildTracker(cfg)).map(dynamicTool),
    });
  let agent: ReturnType<typeof buildAgent>;
  try {
    agent = buildAgent(config);
  } catch (err) {
    log.error("failed to construct agent adapter", { kind: config.agent.kind, error: errorMessage(err) });
    return finish(1);
  }

  orchestrator = new Orchestrator({
    workflow: manager,
    store,
    metrics,
    catalog,
    tracker,
    agent,
    buildTracker,
    buildAgent,
    workspace: bindWorkspace({
      config: () => manager.current().config,
      parentEnv: io.env,
      agentHome,
      logger: getLogger(["sortie", "workspace"]),
      writeMcpConfig: mcpConfigWriter({
        workflowPath: options.workflowPath,
        config: () => manager.current().config,
        parentEnv: io.env,
      }),
    }),
    render: (template: PromptTemplate, p) => {
      const cfg = manager.current().config;
      return renderTurnPrompt(template, {
        ...p,
        continuation: p.continuation ?? undefined,
        tools: toolRegistry(cfg),
        project: cfg.tracker.project,
      });
    },
    agentEnv: (issue, workspace, attempt) => ({
      ...issueSessionEnv({ issueId: issue.id, issueIdentifier: issue.identifier, workspace, attempt }),
      ...(agentHome ? { HOME: agentHome } : {}),
    }),
    logger: getLogger(["sortie", "orchestrator"]),
  });
  const running = orchestrator;
  if (signalled) return finish(0);

  // Step 15: workspaces of issues that became terminal while sortie was down.
  await running.startupCleanup();
  log.info("sortie started");
  for (const feature of unsupportedFeatures(config)) {
    log.warn("workflow feature not supported by this build, ignoring", { feature });
  }
  running.start(warm.retries, warm.totals);
  view.attach(running);
  config = manager.current().config;

  await shutdownRequested;
  await running.shutdown();
  view.detach();
  const code = await finish(0);
  log.info("shutting down");
  return code;
}

function newWorkflowManager(options: RunOptions, io: CliIO): WorkflowManager<PromptTemplate> {
  return new WorkflowManager<PromptTemplate>({
    workflowPath: options.workflowPath,
    envFilePath: options.envFile,
    env: io.env,
    cwd: io.cwd,
    homeDir: io.env.HOME,
    stateDefaults: trackerStateDefaults,
    parseTemplate: parsePromptTemplate,
  });
}
