// The fake GitHub's rate-limit budgets: one per resource (`core` 5000/h, `search` 30/min), spent
// by every authenticated request except a 304, reported in X-RateLimit-* headers on every
// response, refilled when the reset time (on the fake's clock) has passed.

export interface Budget {
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

const WINDOW_SECONDS: Record<string, number> = { core: 3600, search: 60 };

export class Budgets {
  readonly #budgets = new Map<string, Budget>();
  readonly #limits: Record<string, number>;
  readonly #now: () => Date;

  constructor(limits: Record<string, number>, now: () => Date) {
    this.#limits = limits;
    this.#now = now;
  }

  /** The resource's budget, refilled first when its window has ended. */
  get(resource: string): Budget {
    const nowSeconds = Math.floor(this.#now().getTime() / 1000);
    let budget = this.#budgets.get(resource);
    if (budget === undefined || budget.reset <= nowSeconds) {
      const limit = this.#limits[resource] ?? 5000;
      budget = { limit, remaining: limit, reset: nowSeconds + (WINDOW_SECONDS[resource] ?? 3600) };
      this.#budgets.set(resource, budget);
    }
    return budget;
  }

  /** Overrides counters, e.g. `{remaining: 0, reset}` to exhaust a resource until `reset`. */
  set(resource: string, changes: Partial<Budget>): Budget {
    const budget = { ...this.get(resource), ...changes };
    this.#budgets.set(resource, budget);
    return budget;
  }

  spend(resource: string): void {
    const budget = this.get(resource);
    budget.remaining = Math.max(0, budget.remaining - 1);
  }

  headers(resource: string): Record<string, string> {
    const budget = this.get(resource);
    return {
      "x-ratelimit-limit": String(budget.limit),
      "x-ratelimit-remaining": String(budget.remaining),
      "x-ratelimit-used": String(budget.limit - budget.remaining),
      "x-ratelimit-reset": String(budget.reset),
      "x-ratelimit-resource": resource,
    };
  }
}
