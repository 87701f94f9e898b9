// What the stream-parser tests share: recorded fixture lines as a CLI prints them, an emitter that
// collects the events at a fixed time with a given agent pid, and compact views of what came out.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Emit, eventEmitter } from "../../../src/agents/events.ts";
import type { AgentEvent } from "../../../src/domain/agent.ts";

const FIXTURES = resolve(import.meta.dir, "../../fixtures");

/** The text of `tests/fixtures/<rel>`. */
export function fixtureText(rel: string): string {
  return readFileSync(join(FIXTURES, rel), "utf8");
}

/** Lines of `tests/fixtures/<rel>` as the CLI prints them: a `.json` file is one pretty-printed object. */
export function fixtureLines(rel: string): string[] {
  const text = fixtureText(rel);
  if (rel.endsWith(".json")) return [JSON.stringify(JSON.parse(text))];
  return text.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
}

/** An emitter that keeps its events, stamped at the epoch with `agentPid`. */
export function collectedEvents(agentPid = ""): { events: AgentEvent[]; emit: Emit } {
  const events: AgentEvent[] = [];
  const emit = eventEmitter(
    (e) => events.push(e),
    () => new Date(0),
    () => agentPid,
  );
  return { events, emit };
}

/** Events as [type, message] pairs. */
export const brief = (events: readonly AgentEvent[]) => events.map((e) => [e.type, e.message]);

export const tokenEvents = (events: readonly AgentEvent[]) => events.filter((e) => e.type === "token_usage");
