// The HTTP server binds before start-up finishes (so a slow start never fails the startup
// probe); until the orchestrator exists this view answers "not ready" on its behalf.
import type {
  HealthFlags,
  OrchestratorView,
  RefreshAnswer,
  RuntimeSnapshot,
} from "../orchestrator/snapshot.ts";

export class DeferredView implements OrchestratorView {
  #target: OrchestratorView | null = null;
  #draining = false;
  #listeners = new Set<() => void>();
  #unsubscribe: (() => void) | null = null;

  attach(target: OrchestratorView): void {
    this.#target = target;
    this.#unsubscribe = target.onChange(() => this.#emit());
    this.#emit();
  }

  /** A shutdown signal arrived (possibly before the orchestrator existed). */
  markDraining(): void {
    this.#draining = true;
    this.#emit();
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#target = null;
  }

  snapshot(): RuntimeSnapshot {
    if (!this.#target) throw new Error("orchestrator state snapshot unavailable");
    return this.#target.snapshot();
  }

  health(): HealthFlags {
    if (!this.#target)
      return { preflightOk: false, workflowLoaded: true, started: false, draining: this.#draining };
    const flags = this.#target.health();
    return { ...flags, draining: flags.draining || this.#draining };
  }

  requestRefresh(): RefreshAnswer {
    if (this.#draining || !this.#target) return { queued: false, reason: "draining" };
    return this.#target.requestRefresh();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
