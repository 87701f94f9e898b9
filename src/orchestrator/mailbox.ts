// The orchestrator's FIFO mailbox: handlers run one at a time, in arrival order. Bounded in memory:
// while an agent event for an issue is still queued, a newer heartbeat-like event (notification,
// other_message, malformed) replaces it instead of queueing behind it, so an agent flooding stdout
// cannot grow the queue. Exits, retry fires and accounting events are never dropped.
import type { AgentEvent } from "../domain/agent.ts";
import type { WorkerResult } from "./worker-result.ts";

export type Message =
  | { type: "tick" }
  | { type: "refresh" }
  | { type: "workerExit"; result: WorkerResult }
  | { type: "retryFired"; issueId: string; token: number }
  | { type: "agentEvent"; issueId: string; event: AgentEvent }
  | { type: "workerProgress"; issueId: string; progress: WorkerProgress };

/** Facts a worker learns mid-run that the orchestrator records (and persists for crash recovery). */
export type WorkerProgress =
  | { kind: "workspace"; path: string }
  | { kind: "session"; sessionId: string }
  | { kind: "process_group"; pgid: number }
  | { kind: "turns_completed"; count: number }
  | { kind: "issue_state"; state: string }
  | { kind: "self_review"; active: boolean; iteration: number };

const REPLACEABLE = new Set(["notification", "other_message", "malformed"]);

export class Mailbox {
  #queue: (Message | undefined)[] = [];
  #head = 0;
  /** issueId → index of its queued replaceable agent event. */
  #replaceable = new Map<string, number>();
  #wake: (() => void) | null = null;

  post(message: Message): void {
    if (message.type === "agentEvent" && REPLACEABLE.has(message.event.type)) {
      const at = this.#replaceable.get(message.issueId);
      if (at !== undefined) {
        this.#queue[at] = message;
        return;
      }
      this.#replaceable.set(message.issueId, this.#queue.length);
    }
    this.#queue.push(message);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Resolves with the next message, waiting until one is posted. */
  async take(): Promise<Message> {
    while (this.#head >= this.#queue.length) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const index = this.#head;
    const message = this.#queue[index] as Message;
    this.#queue[index] = undefined;
    this.#head++;
    if (message.type === "agentEvent" && this.#replaceable.get(message.issueId) === index) {
      this.#replaceable.delete(message.issueId);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) this.#compact();
    return message;
  }

  /** Drops every queued message the predicate rejects (used when draining). */
  retain(keep: (message: Message) => boolean): void {
    const rest = this.#queue.slice(this.#head).filter((m): m is Message => m !== undefined && keep(m));
    this.#queue = [];
    this.#head = 0;
    this.#replaceable.clear();
    for (const m of rest) this.post(m);
  }

  #compact(): void {
    const shift = this.#head;
    this.#queue = this.#queue.slice(shift);
    this.#head = 0;
    for (const [id, at] of this.#replaceable) this.#replaceable.set(id, at - shift);
  }
}
