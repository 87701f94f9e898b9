// Pairs tool-call starts with their results to measure how long each tool ran.

export class ToolTracker {
  readonly #inFlight = new Map<string, { name: string; startedAt: number }>();
  readonly #clock: () => number;

  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  begin(id: string, name: string): void {
    this.#inFlight.set(id, { name, startedAt: this.#clock() });
  }

  /** The finished tool's name and duration, or undefined when the id was never begun. */
  end(id: string): { name: string; durationMs: number } | undefined {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return undefined;
    this.#inFlight.delete(id);
    return { name: entry.name, durationMs: Math.max(0, Math.round(this.#clock() - entry.startedAt)) };
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  clear(): void {
    this.#inFlight.clear();
  }
}
