// Server-Sent Events for live dashboards: one hub fans out throttled state updates to a bounded
// number of streams. Slow readers are dropped instead of buffered, and every stream closes when
// draining starts or the HTTP server stops, so streams never hold the process open.
import type { Logger } from "@logtape/logtape";
import type { OrchestratorView } from "../orchestrator/snapshot.ts";

export interface SseEvent {
  event: string;
  /** One line of text (JSON); newlines would split the event. */
  data: string;
}

export interface SseHubOptions {
  view: OrchestratorView;
  /**
   * Builds the events sent on connect and after each change, in order. Events given as promises
   * are written when they settle, so a slow one never holds back those before it; a promise that
   * resolves to null or rejects is skipped. A throw skips the whole update.
   */
  buildEvents: () => Array<SseEvent | Promise<SseEvent | null>>;
  logger: Logger;
  maxStreams?: number;
  throttleMs?: number;
  heartbeatMs?: number;
  /** Bytes a stream may have queued for a client before it counts as too slow and is closed. */
  maxQueuedBytes?: number;
}

export const SSE_MAX_STREAMS = 16;
export const SSE_THROTTLE_MS = 1000;
export const SSE_HEARTBEAT_MS = 15_000;
export const SSE_MAX_QUEUED_BYTES = 1 << 20;
const DRAIN_CHECK_MS = 1000;

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
  closed: boolean;
}

const encoder = new TextEncoder();

export function formatSseEvent(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${event.data.replace(/[\r\n]/g, "")}\n\n`;
}

export class SseHub {
  readonly #options: Required<Omit<SseHubOptions, "view" | "buildEvents" | "logger">> &
    Pick<SseHubOptions, "view" | "buildEvents" | "logger">;
  readonly #clients = new Set<Client>();
  #unsubscribe: (() => void) | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastPing = 0;
  #pending: ReturnType<typeof setTimeout> | null = null;
  #lastBroadcast = Number.NEGATIVE_INFINITY;
  #broadcasting = false;
  #dirty = false;
  #closed = false;

  constructor(options: SseHubOptions) {
    this.#options = {
      maxStreams: SSE_MAX_STREAMS,
      throttleMs: SSE_THROTTLE_MS,
      heartbeatMs: SSE_HEARTBEAT_MS,
      maxQueuedBytes: SSE_MAX_QUEUED_BYTES,
      ...options,
    };
  }

  get size(): number {
    return this.#clients.size;
  }

  /** A new event stream, or null when the stream limit is reached or the hub is closed. */
  open(signal?: AbortSignal): ReadableStream<Uint8Array> | null {
    if (this.#closed || this.#clients.size >= this.#options.maxStreams) return null;
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = { controller, closed: false };
          this.#add(client);
          signal?.addEventListener("abort", () => client && this.#drop(client), { once: true });
          if (this.#options.view.health().draining) {
            this.#sendDrainingAndClose(client);
            return;
          }
          void this.#sendFresh([client]);
        },
        cancel: () => {
          if (client) this.#drop(client);
        },
      },
      { highWaterMark: this.#options.maxQueuedBytes, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    return stream;
  }

  /** Ends every stream; `draining` sends the draining event first. The hub stays usable unless `final`. */
  closeAll(reason: "draining" | "stop", final = reason === "stop"): void {
    if (final) this.#closed = true;
    for (const client of [...this.#clients]) {
      if (reason === "draining") this.#sendDrainingAndClose(client);
      else this.#close(client);
    }
  }

  #add(client: Client): void {
    this.#clients.add(client);
    if (!this.#unsubscribe) this.#unsubscribe = this.#options.view.onChange(() => this.#changed());
    if (!this.#heartbeat) {
      // Draining is also watched here, so streams close promptly even if no change is reported.
      this.#lastPing = Date.now();
      this.#heartbeat = setInterval(() => this.#tick(), Math.min(DRAIN_CHECK_MS, this.#options.heartbeatMs));
      this.#heartbeat.unref?.();
    }
  }

  #drop(client: Client): void {
    client.closed = true;
    this.#clients.delete(client);
    if (this.#clients.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = null;
  }

  #close(client: Client): void {
    if (!client.closed) {
      try {
        client.controller.close();
      } catch {
        // already closed by the client side
      }
    }
    this.#drop(client);
  }

  #write(client: Client, text: string): void {
    if (client.closed) return;
    // A client that has not taken the previous maxQueuedBytes is too slow: drop it rather than
    // queue more. Checked before enqueuing so one large event never cuts off a fast reader.
    const desired = client.controller.desiredSize;
    if (desired !== null && desired <= 0) {
      this.#options.logger.debug("event stream closed, client too slow", { queued_bytes: -desired });
      try {
        client.controller.error(new Error("event stream client too slow"));
      } catch {
        // nothing left to abort
      }
      this.#drop(client);
      return;
    }
    try {
      client.controller.enqueue(encoder.encode(text));
    } catch {
      this.#drop(client);
    }
  }

  #sendDrainingAndClose(client: Client): void {
    this.#write(client, formatSseEvent({ event: "draining", data: '{"draining":true}' }));
    this.#close(client);
  }

  #tick(): void {
    if (this.#options.view.health().draining) {
      this.closeAll("draining", false);
      return;
    }
    if (Date.now() - this.#lastPing < this.#options.heartbeatMs) return;
    this.#lastPing = Date.now();
    for (const client of [...this.#clients]) this.#write(client, ": ping\n\n");
  }

  #changed(): void {
    if (this.#options.view.health().draining) {
      this.closeAll("draining", false);
      return;
    }
    this.#dirty = true;
    this.#schedule();
  }

  // At most one broadcast per throttle window; changes during a window or a running broadcast are
  // merged into the next one, never lost.
  #schedule(): void {
    if (this.#pending || this.#broadcasting || !this.#dirty || this.#clients.size === 0) return;
    const wait = this.#lastBroadcast + this.#options.throttleMs - Date.now();
    if (wait > 0) {
      this.#pending = setTimeout(() => {
        this.#pending = null;
        this.#schedule();
      }, wait);
      this.#pending.unref?.();
      return;
    }
    this.#dirty = false;
    this.#lastBroadcast = Date.now();
    this.#broadcasting = true;
    void this.#sendFresh([...this.#clients]).finally(() => {
      this.#broadcasting = false;
      this.#schedule();
    });
  }

  async #sendFresh(clients: Client[]): Promise<void> {
    let events: Array<SseEvent | Promise<SseEvent | null>>;
    try {
      events = this.#options.buildEvents();
    } catch (error) {
      this.#options.logger.warn("snapshot request failed", { method: "GET", path: "/api/events", error });
      return;
    }
    for (const pending of events) {
      const event = await Promise.resolve(pending).catch(() => null);
      if (!event) continue;
      const text = formatSseEvent(event);
      for (const client of clients) this.#write(client, text);
    }
  }
}
