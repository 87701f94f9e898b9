// JSON-RPC over the stdin/stdout of `codex app-server`: newline-delimited JSON objects without a
// "jsonrpc" member. Requests get integer ids from 1 and a timeout; writes go through one queue so
// lines never interleave; everything the server sends on its own (notifications, its requests,
// lines that are not JSON-RPC at all) goes to one handler, or waits in a buffer until one is set.
import type { Logger } from "@logtape/logtape";
import { agentError, SortieError } from "../../domain/errors.ts";
import { readLines } from "../process/line-reader.ts";
import type { Json } from "../stream-json.ts";

/** Codex lines are small; a longer one is a read error, not a malformed line. */
export const CODEX_MAX_LINE_BYTES = 1024 * 1024;
/** Messages kept while no handler is set (between turns); older ones are dropped beyond this. */
export const MAX_BUFFERED_MESSAGES = 10_000;

export type RpcId = number | string;

export type IncomingMessage =
  | { kind: "notification"; method: string; params: unknown }
  | { kind: "request"; id: RpcId; method: string; params: unknown }
  | { kind: "malformed"; line: string; reason: string };

export type RpcClose = { reason: "eof" } | { reason: "error"; error: unknown };

/** The server answered a request with a JSON-RPC error. */
export class RpcResponseError extends SortieError {
  readonly code: number;
  readonly data: unknown;
  readonly method: string;

  constructor(method: string, code: number, message: string, data: unknown) {
    super("agent", "response_error", message);
    this.name = "RpcResponseError";
    this.method = method;
    this.code = code;
    this.data = data;
  }
}

/** What the client needs of the child's stdin (a Bun FileSink). */
export interface LineSink {
  write(chunk: string): number | Promise<number>;
  flush(): number | Promise<number>;
  end(): number | Promise<number>;
}

export interface RpcClientOptions {
  stdin: LineSink;
  stdout: ReadableStream<Uint8Array>;
  logger: Logger;
  /** Default bound on every request's wait for its response. */
  requestTimeoutMs: number;
  maxLineBytes?: number;
  /** Stops reading stdout (as at end of stream) when aborted. */
  stopReading?: AbortSignal;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Abandons the wait (rejecting with the signal's reason); the request stays sent. */
  signal?: AbortSignal;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

export class RpcClient {
  /** Settles once stdout ended or failed; never rejects. */
  readonly closed: Promise<RpcClose>;

  readonly #stdin: LineSink;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #pending = new Map<RpcId, Pending>();
  #nextId = 1;
  #writes: Promise<void> = Promise.resolve();
  #inputClosed = false;
  #close: RpcClose | undefined;
  #handler: ((message: IncomingMessage) => void) | undefined;
  #buffer: IncomingMessage[] = [];
  #dropped = 0;

  constructor(options: RpcClientOptions) {
    this.#stdin = options.stdin;
    this.#logger = options.logger;
    this.#timeoutMs = options.requestTimeoutMs;
    this.closed = readLines(options.stdout, (line) => this.#onLine(line), {
      maxLineBytes: options.maxLineBytes ?? CODEX_MAX_LINE_BYTES,
      ...(options.stopReading ? { signal: options.stopReading } : {}),
    }).then(
      (): RpcClose => ({ reason: "eof" }),
      (error: unknown): RpcClose => ({ reason: "error", error }),
    );
    void this.closed.then((close) => {
      this.#close = close;
      const error =
        close.reason === "eof"
          ? agentError("port_exit", "codex app-server closed its output")
          : agentError("port_exit", "stdout read error", close.error);
      for (const [id, pending] of this.#pending) {
        this.#pending.delete(id);
        pending.reject(error);
      }
    });
  }

  get isClosed(): boolean {
    return this.#close !== undefined;
  }

  /**
   * Routes every message the server sends on its own to `handler`; messages that arrived while
   * no handler was set are delivered first, in order. `undefined` buffers again.
   */
  setHandler(handler: ((message: IncomingMessage) => void) | undefined): void {
    this.#handler = handler;
    while (handler !== undefined && this.#handler === handler && this.#buffer.length > 0) {
      const next = this.#buffer.shift();
      if (next !== undefined) handler(next);
    }
  }

  request(method: string, params: unknown, options: RequestOptions = {}): Promise<unknown> {
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const { signal } = options;
    return new Promise<unknown>((resolve, reject) => {
      if (this.#close !== undefined) {
        reject(agentError("port_exit", `codex app-server is gone, cannot send ${method}`));
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        settle();
        reject(signal?.reason);
      };
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
      };
      this.#pending.set(id, {
        method,
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          settle();
          reject(agentError("response_timeout", `${method}: no response within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#send({ method, id, params }).catch((err: unknown) => {
        if (!this.#pending.has(id)) return;
        settle();
        reject(err);
      });
    });
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.#send({ method, params });
  }

  /** Answers a server request. */
  respond(id: RpcId, result: unknown): Promise<void> {
    return this.#send({ id, result });
  }

  respondError(id: RpcId, code: number, message: string): Promise<void> {
    return this.#send({ id, error: { code, message } });
  }

  /** Ends stdin after every queued write: the server sees EOF. Later writes fail. */
  async closeInput(): Promise<void> {
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    const end = this.#writes.then(async () => {
      try {
        await this.#stdin.end();
      } catch {
        // Already closed by the child's exit.
      }
    });
    this.#writes = end;
    await end;
  }

  #send(message: Json): Promise<void> {
    if (this.#inputClosed) return Promise.reject(agentError("port_exit", "codex app-server input is closed"));
    const line = `${JSON.stringify(message)}\n`;
    const write = this.#writes.then(async () => {
      try {
        await this.#stdin.write(line);
        await this.#stdin.flush();
      } catch (err) {
        throw agentError("port_exit", "write to codex app-server failed", err);
      }
    });
    this.#writes = write.catch(() => {});
    return write;
  }

  #onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      this.#deliver({ kind: "malformed", line, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      this.#deliver({ kind: "malformed", line, reason: "not a JSON object" });
      return;
    }
    const msg = parsed as Json;
    const id = rpcId(msg.id);
    if (typeof msg.method === "string") {
      // The server numbers its own requests from 0, so an id of 0 is a real id here.
      this.#deliver(
        id === undefined
          ? { kind: "notification", method: msg.method, params: msg.params }
          : { kind: "request", id, method: msg.method, params: msg.params },
      );
      return;
    }
    if (id === undefined || id === 0) {
      this.#deliver({ kind: "malformed", line, reason: "neither a method nor a response id" });
      return;
    }
    const pending = this.#pending.get(id);
    if (pending === undefined) {
      this.#logger.debug("codex response without a pending request", { id: String(id) });
      return;
    }
    if (typeof msg.error === "object" && msg.error !== null) {
      const error = msg.error as Json;
      pending.reject(
        new RpcResponseError(
          pending.method,
          typeof error.code === "number" ? error.code : 0,
          typeof error.message === "string" ? error.message : "unknown error",
          error.data,
        ),
      );
      return;
    }
    pending.resolve(msg.result);
  }

  #deliver(message: IncomingMessage): void {
    if (this.#handler !== undefined) {
      this.#handler(message);
      return;
    }
    if (this.#buffer.length >= MAX_BUFFERED_MESSAGES) {
      this.#buffer.shift();
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 1000 === 0) {
        this.#logger.warn("codex messages dropped while no turn was running", { dropped: this.#dropped });
      }
    }
    this.#buffer.push(message);
  }
}

function rpcId(value: unknown): RpcId | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") return value;
  return undefined;
}
