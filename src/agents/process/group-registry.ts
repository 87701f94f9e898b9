// The live agent process groups of one adapter instance, so shutdown can SIGKILL every one of
// them even when a turn is stuck.
import { signalGroup } from "../../platform/process-group.ts";

export class ProcessGroupRegistry {
  readonly #groups = new Set<number>();

  add(pgid: number): void {
    this.#groups.add(pgid);
  }

  remove(pgid: number): void {
    this.#groups.delete(pgid);
  }

  get size(): number {
    return this.#groups.size;
  }

  /** SIGKILLs every registered group and forgets them. */
  killAll(): void {
    for (const pgid of this.#groups) signalGroup(pgid, "SIGKILL");
    this.#groups.clear();
  }
}
