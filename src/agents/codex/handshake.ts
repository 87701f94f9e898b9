// The start-up conversation with `codex app-server`: initialize, check the account (logging in
// with CODEX_API_KEY when there is none), then open the thread, resuming an earlier one when
// asked and starting a fresh one when the server no longer knows it.
import type { Logger } from "@logtape/logtape";
import { agentError, SortieError } from "../../domain/errors.ts";
import { type Json, obj, str } from "../stream-json.ts";
import { type IncomingMessage, type RpcClient, RpcResponseError } from "./rpc.ts";
import { type CodexSettings, toKebabSandbox } from "./settings.ts";
import type { DynamicToolSpec } from "./tools.ts";
import { countsOfBreakdown, type ThreadUsage } from "./usage.ts";

export const CLIENT_INFO = { name: "sortie_orchestrator", title: "Sortie Orchestrator", version: "0.1.0" };

export interface HandshakeOptions {
  client: RpcClient;
  logger: Logger;
  workspace: string;
  settings: CodexSettings;
  /** Sortie's tools offered to Codex; undefined = none. */
  dynamicTools: DynamicToolSpec[] | undefined;
  /** Non-empty: continue this thread. */
  resumeThreadId: string;
  /** CODEX_API_KEY from the agent's environment; "" = none. */
  apiKey: string;
  /** Bound on every wait for an answer. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Receives the thread's earlier totals when a resumed thread repeats them. */
  usageFor(fresh: boolean): ThreadUsage;
}

export interface HandshakeResult {
  threadId: string;
  /** False when a fresh thread was started (no resume asked, or the old thread was gone). */
  resumed: boolean;
  /** The model the server chose for the thread ("" when it did not say). */
  model: string;
  usage: ThreadUsage;
}

export async function codexHandshake(o: HandshakeOptions): Promise<HandshakeResult> {
  const waiter = new NotificationWaiter(o.client, o.logger);
  const req = (method: string, params: unknown): Promise<unknown> =>
    o.client.request(method, params, { timeoutMs: o.timeoutMs, signal: o.signal });
  // Earlier totals can arrive before the thread is known; keep the latest and hand it over.
  let earlierTotals: ReturnType<typeof countsOfBreakdown>;
  waiter.onUsage = (params) => {
    earlierTotals = countsOfBreakdown(obj(obj(params).tokenUsage).total) ?? earlierTotals;
  };
  try {
    await step("handshake failed", () =>
      req("initialize", { clientInfo: CLIENT_INFO, capabilities: { experimentalApi: true } }),
    );
    await step("handshake failed", () => o.client.notify("initialized", {}));

    const account = obj(await step("handshake failed", () => req("account/read", { refreshToken: false })));
    const needsLogin = account.account === null || account.account === undefined;
    if (needsLogin && o.apiKey !== "" && account.requiresOpenaiAuth !== false) {
      await step("login failed", () => req("account/login/start", { type: "apiKey", apiKey: o.apiKey }));
      const done = obj(await step("authentication failed", () => waiter.next("account/login/completed", o)));
      if (done.success !== true) {
        const why = typeof done.error === "string" && done.error !== "" ? `: ${done.error}` : "";
        throw agentError("response_error", `authentication failed${why}`);
      }
    }

    let resumed = false;
    let thread: Json | undefined;
    if (o.resumeThreadId !== "") {
      try {
        thread = obj(await req("thread/resume", resumeParams(o)));
        resumed = true;
      } catch (err) {
        if (!(err instanceof RpcResponseError)) throw wrap("thread/resume failed", err);
        o.logger.warn("agent session not found, starting a fresh session", { session_id: o.resumeThreadId });
        o.logger.debug("codex thread/resume refused", { error: err.message });
      }
    }
    if (!resumed) thread = obj(await step("thread/start failed", () => req("thread/start", startParams(o))));

    // A resumed thread keeps its id (the response is not needed for it).
    const threadId = resumed ? o.resumeThreadId : str(obj(thread?.thread).id);
    if (threadId === "") throw agentError("response_error", "thread/start failed: empty thread id");
    if (!resumed) await waiter.next("thread/started", o).catch(() => undefined);

    const usage = o.usageFor(!resumed);
    if (resumed && earlierTotals !== undefined) usage.noteEarlierTotals(earlierTotals);
    return { threadId, resumed, model: str(thread?.model), usage };
  } finally {
    waiter.detach();
  }
}

function startParams(o: HandshakeOptions): Json {
  const params: Json = {
    cwd: o.workspace,
    approvalPolicy: o.settings.approvalPolicy,
    sandbox: toKebabSandbox(o.settings.threadSandbox),
  };
  if (o.settings.model !== "") params.model = o.settings.model;
  if (o.settings.personality !== "") params.personality = o.settings.personality;
  if (o.dynamicTools !== undefined) params.dynamicTools = o.dynamicTools;
  return params;
}

/**
 * The workflow's settings are applied to the resumed thread too (they may have changed since it
 * was started); `excludeTurns` keeps the answer small, a long history would not fit in a line.
 */
function resumeParams(o: HandshakeOptions): Json {
  const params: Json = {
    threadId: o.resumeThreadId,
    cwd: o.workspace,
    approvalPolicy: o.settings.approvalPolicy,
    sandbox: toKebabSandbox(o.settings.threadSandbox),
    excludeTurns: true,
  };
  if (o.settings.model !== "") params.model = o.settings.model;
  if (o.settings.personality !== "") params.personality = o.settings.personality;
  return params;
}

/** Runs one handshake step; a refusal or failure becomes `<prefix>: <reason>` with its kind kept. */
async function step<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw wrap(prefix, err);
  }
}

function wrap(prefix: string, err: unknown): unknown {
  if (!(err instanceof SortieError)) return err; // an abort reason stays as it is
  const kind = err instanceof RpcResponseError ? "response_error" : err.kind;
  if (kind !== "response_error" && kind !== "response_timeout" && kind !== "port_exit") return err;
  return agentError(kind, `${prefix}: ${err.message}`, err.cause);
}

/** Collects the notifications the handshake waits for; answers server requests with an error. */
class NotificationWaiter {
  onUsage: ((params: unknown) => void) | undefined;
  readonly #client: RpcClient;
  readonly #logger: Logger;
  readonly #seen = new Map<string, unknown>();
  readonly #waiting = new Map<string, (params: unknown) => void>();

  constructor(client: RpcClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
    client.setHandler((m) => this.#handle(m));
  }

  detach(): void {
    this.#client.setHandler(undefined);
  }

  /** The next (or an already received) notification `method`, within the handshake's bound. */
  next(method: string, o: Pick<HandshakeOptions, "timeoutMs" | "signal">): Promise<unknown> {
    if (this.#seen.has(method)) {
      const params = this.#seen.get(method);
      this.#seen.delete(method);
      return Promise.resolve(params);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(agentError("response_timeout", `no ${method} within ${o.timeoutMs} ms`));
      }, o.timeoutMs);
      const onAbort = (): void => {
        cleanup();
        reject(o.signal.reason);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        o.signal.removeEventListener("abort", onAbort);
        this.#waiting.delete(method);
      };
      this.#waiting.set(method, (params) => {
        cleanup();
        resolve(params);
      });
      o.signal.addEventListener("abort", onAbort, { once: true });
      void this.#client.closed.then(() => {
        if (!this.#waiting.has(method)) return;
        cleanup();
        reject(agentError("port_exit", `codex app-server exited before ${method}`));
      });
    });
  }

  #handle(message: IncomingMessage): void {
    if (message.kind === "malformed") {
      this.#logger.warn("codex app-server sent a malformed line", { line: message.line.slice(0, 500) });
      return;
    }
    if (message.kind === "request") {
      this.#client
        .respondError(message.id, -32601, `${message.method} is not handled before a turn`)
        .catch(() => {});
      return;
    }
    if (message.method === "thread/tokenUsage/updated") this.onUsage?.(message.params);
    const waiting = this.#waiting.get(message.method);
    if (waiting !== undefined) waiting(message.params);
    else this.#seen.set(message.method, message.params);
    this.#logger.debug("codex notification during start-up", { method: message.method });
  }
}
