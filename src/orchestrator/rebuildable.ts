// An adapter that is rebuilt when a workflow reload changes its inputs. Calls already in flight
// keep the instance they started with; new calls get the new one.
import type { Logger } from "@logtape/logtape";
import type { ServiceConfig } from "../config/types.ts";
import { errorMessage } from "../domain/errors.ts";

export interface RebuildPolicy<T> {
  build(config: ServiceConfig): T;
  changed(before: ServiceConfig, after: ServiceConfig): boolean;
  kind(config: ServiceConfig): string;
  /** Log messages (constant strings, so operators can grep for them). */
  rebuiltMessage: string;
  failedMessage: string;
  /** Releases an instance that was replaced. */
  retire?(old: T): void;
}

export class Rebuildable<T> {
  #value: T;
  #builtFrom: ServiceConfig;

  /** `initial` is the instance start-up already built (and checked) for `config`. */
  constructor(
    private readonly policy: RebuildPolicy<T>,
    initial: T,
    config: ServiceConfig,
    private readonly log: Logger,
  ) {
    this.#value = initial;
    this.#builtFrom = config;
  }

  get current(): T {
    return this.#value;
  }

  /** Rebuilds when the inputs changed; a failed build keeps the previous instance. */
  refresh(config: ServiceConfig): void {
    if (!this.policy.changed(this.#builtFrom, config)) return;
    try {
      const previous = this.#value;
      this.#value = this.policy.build(config);
      this.#builtFrom = config;
      this.log.info(this.policy.rebuiltMessage, { kind: this.policy.kind(config) });
      this.policy.retire?.(previous);
    } catch (err) {
      this.log.error(this.policy.failedMessage, { kind: this.policy.kind(config), error: errorMessage(err) });
    }
  }
}
