// One turn on a running app-server: `turn/start`, then the server's notifications and requests
// until `turn/completed`. Every server request gets an answer; an abort interrupts the turn and
// gives the server a few seconds to confirm before the turn is given up.
import type { Logger } from "@logtape/logtape";
import type { RunTurnParams, TerminalEventType, TurnOutcome } from "../../domain/agent.ts";
import { agentError, SortieError } from "../../domain/errors.ts";
import type { Emit } from "../events.ts";
import { cancellationOf } from "../process/cancel.ts";
import { obj } from "../stream-json.ts";
import { truncateRunes } from "../truncate.ts";
import type { AppServer } from "./app-server.ts";
import { decideServerRequest } from "./approvals.ts";
import { CodexTurnParser, verdictOf } from "./parse.ts";
import { type IncomingMessage, type RpcClose, RpcResponseError } from "./rpc.ts";
import { type CodexSettings, turnSandboxPolicy } from "./settings.ts";
import { type DynamicTool, runToolCall } from "./tools.ts";
import type { ThreadUsage } from "./usage.ts";

/** How long an interrupted turn may take to confirm before it is given up. */
export const INTERRUPT_GRACE_MS = 5000;

/** The session state a turn reads and advances. */
export interface CodexTurnSession {
  server: AppServer;
  threadId: string;
  model: string;
  usage: ThreadUsage;
  workspace: string;
  settings: CodexSettings;
  tools: readonly DynamicTool[] | null;
  /** Turns started in this session (the next turn is number `turns + 1`). */
  turns: number;
  ownTurnIds: Set<string>;
  turnTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface CodexTurnOptions {
  session: CodexTurnSession;
  params: RunTurnParams;
  signal: AbortSignal;
  emit: Emit;
  logger: Logger;
  interruptGraceMs?: number;
}

type TurnEnd =
  | { kind: "completed" }
  | { kind: "closed"; close: RpcClose }
  | { kind: "interrupt_timeout" }
  | { kind: "start_failed"; error: unknown };

export async function runCodexTurn(o: CodexTurnOptions): Promise<TurnOutcome> {
  const { session, signal, emit, logger } = o;
  const { server } = session;
  const client = server.client;
  const finish = (type: TerminalEventType, message: string, error?: SortieError): TurnOutcome => {
    emit(type, { message });
    const outcome: TurnOutcome = {
      result: { sessionId: session.threadId, exitReason: type, usage: session.usage.session() },
    };
    if (error !== undefined) outcome.error = error;
    return outcome;
  };
  const cancelled = (): TurnOutcome => {
    const c = cancellationOf(signal, session.turnTimeoutMs);
    return finish("turn_cancelled", c.eventMessage, c.error);
  };

  if (signal.aborted) return cancelled();
  if (!server.running) {
    return finish(
      "turn_failed",
      "codex app-server is not running",
      agentError("port_exit", `codex app-server is not running (${server.exitDescription()})`),
    );
  }

  session.turns++;
  const parser = new CodexTurnParser({
    emit,
    logger,
    usage: session.usage,
    threadId: session.threadId,
    turnNumber: session.turns,
    model: session.model,
    ownTurnIds: session.ownTurnIds,
  });

  let resolveEnd: (end: TurnEnd) => void = () => {};
  const ended = new Promise<TurnEnd>((resolve) => {
    resolveEnd = resolve;
  });
  const toolCalls = new Set<Promise<void>>();
  const toolAbort = new AbortController();
  let inputRequired: string | undefined;
  let interruptSent = false;
  let interruptTimer: ReturnType<typeof setTimeout> | undefined;
  let early: IncomingMessage[] | undefined = [];

  const interrupt = (): void => {
    if (interruptSent || parser.turnId === undefined) return;
    interruptSent = true;
    client
      .request("turn/interrupt", { threadId: session.threadId, turnId: parser.turnId })
      .catch((err: unknown) => logger.debug("codex turn/interrupt failed", { error: String(err) }));
  };
  /** Interrupts the turn and gives the server a bounded time to confirm. */
  const stopTurn = (): void => {
    interrupt();
    interruptTimer ??= setTimeout(
      () => resolveEnd({ kind: "interrupt_timeout" }),
      o.interruptGraceMs ?? INTERRUPT_GRACE_MS,
    );
  };

  const handle = (message: IncomingMessage): void => {
    switch (message.kind) {
      case "malformed":
        logger.warn("codex app-server sent a malformed line", { line: truncateRunes(message.line, 500) });
        emit("malformed", { message: truncateRunes(message.line, 500) });
        return;
      case "notification":
        parser.handleNotification(message.method, message.params);
        if (parser.completed !== undefined) resolveEnd({ kind: "completed" });
        return;
      case "request":
        answerServerRequest(message);
    }
  };

  const answerServerRequest = (message: Extract<IncomingMessage, { kind: "request" }>): void => {
    const reply = (result: unknown): void => {
      client.respond(message.id, result).catch((err: unknown) => {
        logger.debug("codex reply failed", { method: message.method, error: String(err) });
      });
    };
    if (message.method === "item/tool/call") {
      const call = runToolCall(message.params, {
        tools: session.tools,
        emit,
        logger,
        signal: toolAbort.signal,
      })
        .then(reply)
        .finally(() => toolCalls.delete(call));
      toolCalls.add(call);
      return;
    }
    const decision = decideServerRequest(message.method, message.params);
    switch (decision.kind) {
      case "approve":
        reply(decision.result);
        emit("approval_auto_approved", { message: truncateRunes(decision.message, 200) });
        return;
      case "decline":
        reply(decision.result);
        emit("notification", { message: decision.message });
        return;
      case "input_required":
        client
          .respondError(message.id, -32000, "sortie runs unattended: no user input is available")
          .catch(() => {});
        inputRequired ??= decision.message;
        stopTurn();
        return;
      case "unsupported":
        client.respondError(message.id, -32601, `sortie does not handle ${message.method}`).catch(() => {});
        emit("other_message", { message: message.method });
    }
  };

  // Until `turn/start` answers, the turn id is unknown: hold messages back, then replay them.
  client.setHandler((message) => {
    if (early !== undefined) early.push(message);
    else handle(message);
  });
  const onAbort = (): void => stopTurn();
  signal.addEventListener("abort", onAbort, { once: true });
  void client.closed.then((close) => resolveEnd({ kind: "closed", close }));

  try {
    const started = client
      .request("turn/start", turnStartParams(session, o.params.prompt))
      .then((result) => ({ kind: "started" as const, result }))
      .catch((error: unknown) => ({ kind: "start_failed" as const, error }));
    const first = await Promise.race([started, ended]);
    if (first.kind === "started") {
      const turn = obj(obj(first.result).turn);
      const turnId = typeof turn.id === "string" ? turn.id : "";
      parser.turnId = turnId;
      if (turnId !== "") session.ownTurnIds.add(turnId);
      const held = early ?? [];
      early = undefined;
      for (const message of held) handle(message);
      if (signal.aborted) stopTurn();
    } else {
      early = undefined;
      if (first.kind === "start_failed") resolveEnd(first);
    }

    const end = await ended;
    // Answers still being computed are part of the turn: their events come before its end.
    toolAbort.abort();
    await Promise.allSettled([...toolCalls]);
    if (end.kind === "closed" && end.close.reason === "eof") await server.settle();
    return conclude(end);
  } finally {
    clearTimeout(interruptTimer);
    signal.removeEventListener("abort", onAbort);
    toolAbort.abort();
    client.setHandler(undefined);
  }

  function conclude(end: TurnEnd): TurnOutcome {
    if (end.kind === "start_failed") {
      if (signal.aborted) return cancelled();
      const error = end.error;
      if (error instanceof RpcResponseError) {
        return finish(
          "turn_failed",
          `turn/start error: ${error.message}`,
          agentError("turn_failed", `turn/start error: ${error.message}`),
        );
      }
      const failure = asAgentError(error, "turn/start failed");
      return finish("turn_failed", failure.message, failure);
    }
    if (end.kind === "closed") {
      if (server.stopping) {
        return finish("turn_cancelled", "session stopped", agentError("turn_cancelled", "session stopped"));
      }
      if (signal.aborted) return cancelled();
      server.warnStderr();
      if (end.close.reason === "error") {
        // Output can no longer be read (a line over the limit, a broken pipe): the server is useless.
        void server.kill();
        const text = end.close.error instanceof Error ? end.close.error.message : String(end.close.error);
        return finish(
          "turn_failed",
          `stdout read error: ${text}`,
          agentError("port_exit", "stdout read error", end.close.error),
        );
      }
      return finish("turn_failed", closedMessage(server), closedError(server));
    }
    if (end.kind === "interrupt_timeout") {
      // The server did not confirm the interrupt: it is stuck, so end it now.
      logger.warn("codex turn did not stop after interrupt, terminating app-server", { pid: server.pid });
      void server.terminate();
      if (inputRequired !== undefined && !signal.aborted) return inputRequiredOutcome(inputRequired);
      return cancelled();
    }

    parser.applyLegacyUsage();
    if (inputRequired !== undefined && !signal.aborted) return inputRequiredOutcome(inputRequired);
    if (signal.aborted) return cancelled();
    const verdict = verdictOf(parser.completed ?? {});
    if (verdict.error !== undefined) server.warnStderr();
    return finish(verdict.type, verdict.message, verdict.error);
  }

  function inputRequiredOutcome(message: string): TurnOutcome {
    return finish("turn_input_required", message, agentError("turn_input_required", message));
  }
}

function turnStartParams(session: CodexTurnSession, prompt: string): Record<string, unknown> {
  const params: Record<string, unknown> = {
    threadId: session.threadId,
    input: [{ type: "text", text: prompt }],
    cwd: session.workspace,
  };
  // The sandbox travels with the first turn; later turns inherit it unless the workflow sets its own.
  if (session.turns === 1 || session.settings.turnSandboxPolicy !== undefined) {
    params.sandboxPolicy = turnSandboxPolicy(session.settings, session.workspace);
  }
  if (session.settings.model !== "") params.model = session.settings.model;
  if (session.settings.effort !== "") params.effort = session.settings.effort;
  return params;
}

function closedMessage(server: AppServer): string {
  return `codex app-server exited unexpectedly (${server.exitDescription()})`;
}

function closedError(server: AppServer): SortieError {
  const stderr = server.stderrSummary();
  return agentError(
    "port_exit",
    "subprocess stdout closed unexpectedly",
    stderr !== "" ? new Error(`${server.exitDescription()}: ${stderr}`) : undefined,
  );
}

function asAgentError(err: unknown, prefix: string): SortieError {
  if (err instanceof SortieError && err.layer === "agent") {
    return new SortieError("agent", err.kind, `${prefix}: ${err.message}`, { cause: err.cause });
  }
  return agentError("port_exit", prefix, err);
}
