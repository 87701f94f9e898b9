// Keeps a bounded picture of an agent's stderr for failure reports: the first lines, the last
// lines, and a marker saying how many were dropped in between.
import type { Logger } from "@logtape/logtape";
import { readLines } from "./line-reader.ts";

export interface StderrLimits {
  headLines: number;
  tailLines: number;
  maxBytes: number;
}

export const DEFAULT_STDERR_LIMITS: StderrLimits = {
  headLines: 500,
  tailLines: 500,
  maxBytes: 5 * 1024 * 1024,
};

export class StderrCollector {
  readonly #limits: StderrLimits;
  readonly #head: string[] = [];
  readonly #tail: string[] = [];
  #tailStart = 0;
  #bytes = 0;
  #discarded = 0;

  constructor(limits: StderrLimits = DEFAULT_STDERR_LIMITS) {
    this.#limits = limits;
  }

  push(line: string): void {
    const size = Buffer.byteLength(line, "utf8");
    if (size > this.#limits.maxBytes) {
      this.#discarded++;
      return;
    }
    if (this.#head.length < this.#limits.headLines && this.#discarded === 0 && this.#tailLength() === 0) {
      if (this.#bytes + size <= this.#limits.maxBytes) {
        this.#head.push(line);
        this.#bytes += size;
        return;
      }
    }
    this.#pushTail(line, size);
  }

  /** Head, then `... (<n> lines discarded) ...` when anything was dropped, then tail. */
  lines(): string[] {
    const out = [...this.#head];
    if (this.#discarded > 0) out.push(`... (${this.#discarded} lines discarded) ...`);
    out.push(...this.#tail.slice(this.#tailStart));
    return out;
  }

  get discarded(): number {
    return this.#discarded;
  }

  #tailLength(): number {
    return this.#tail.length - this.#tailStart;
  }

  #pushTail(line: string, size: number): void {
    this.#tail.push(line);
    this.#bytes += size;
    while (this.#tailLength() > this.#limits.tailLines || this.#bytes > this.#limits.maxBytes) {
      const dropped = this.#tail[this.#tailStart];
      if (dropped === undefined) break;
      this.#tailStart++;
      this.#bytes -= Buffer.byteLength(dropped, "utf8");
      this.#discarded++;
    }
    // Compact the ring occasionally so dropped lines can be collected.
    if (this.#tailStart > 1024 && this.#tailStart * 2 > this.#tail.length) {
      this.#tail.splice(0, this.#tailStart);
      this.#tailStart = 0;
    }
  }
}

/**
 * Reads an agent's stderr into `into`, debug-logging every line. Over-long lines are cut rather
 * than failing the read; settles at end of stream or when `signal` aborts, and never rejects.
 */
export function collectStderr(
  stream: ReadableStream<Uint8Array>,
  into: StderrCollector,
  logger: Logger,
  options: { maxLineBytes: number; signal: AbortSignal },
): Promise<void> {
  return readLines(
    stream,
    (line) => {
      into.push(line);
      logger.debug("agent stderr", { line });
    },
    { maxLineBytes: options.maxLineBytes, overLong: "truncate", signal: options.signal },
  ).catch(() => {});
}
