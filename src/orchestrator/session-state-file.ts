// `.sortie/state.json`, which the agent's `sortie_status` tool reads: turn progress and the
// session's token counts. Written only for workspaces with an MCP config.
import type { Logger } from "@logtape/logtape";
import type { AgentEvent } from "../domain/agent.ts";
import { errorMessage } from "../domain/errors.ts";
import type { SessionState } from "../workspace/index.ts";

export type StateWriter = (workspace: string, state: SessionState) => Promise<unknown>;

/**
 * `.sortie/state.json` for the agent's `sortie_status` tool: turn progress and this session's token
 * counts (the highest cumulative values the adapter reported). Written only when an MCP config
 * exists; a failed write is logged and never fails the run.
 */
export class SessionStateFile {
  #state: SessionState;
  #workspace = "";

  constructor(
    private readonly writeState: StateWriter,
    private readonly log: Logger,
    attempt: number | null,
    maxTurns: number,
  ) {
    this.#state = {
      turnNumber: 0,
      maxTurns,
      attempt,
      startedAt: new Date(),
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      cacheReadTokens: 0,
    };
  }

  /** Turns writing on for a workspace that has an MCP config; "" keeps it off. */
  enable(workspace: string): void {
    this.#workspace = workspace;
  }

  turn(turnNumber: number, maxTurns: number): void {
    this.#state = { ...this.#state, turnNumber, maxTurns };
    this.#write();
  }

  usage(event: AgentEvent): void {
    const u = event.usage;
    if (event.type !== "token_usage" || !u) return;
    const s = this.#state;
    this.#state = {
      ...s,
      inputTokens: Math.max(s.inputTokens, u.inputTokens ?? 0),
      outputTokens: Math.max(s.outputTokens, u.outputTokens ?? 0),
      totalTokens: Math.max(s.totalTokens, u.totalTokens ?? 0),
      cacheReadTokens: Math.max(s.cacheReadTokens, u.cacheReadTokens ?? 0),
    };
    this.#write();
  }

  #writing = false;
  #dirty = false;

  /** One write at a time; updates that arrive meanwhile are folded into the next write. */
  #write(): void {
    if (this.#workspace === "") return;
    if (this.#writing) {
      this.#dirty = true;
      return;
    }
    this.#writing = true;
    void this.#flush();
  }

  async #flush(): Promise<void> {
    do {
      this.#dirty = false;
      await this.writeState(this.#workspace, this.#state).catch((err) =>
        this.log.warn("failed to write .sortie/state.json", { error: errorMessage(err) }),
      );
    } while (this.#dirty);
    this.#writing = false;
  }
}
