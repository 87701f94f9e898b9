// Turns a recorded client↔server conversation with the real `codex app-server` (one JSON object
// per line: `{"from": "client" | "server", "line": <message>}`) into a scenario for the fake:
// every client request gets the server lines that followed it, up to the next client request.
import type { Scenario, Step } from "./scenario.ts";

export interface RecordedMessage {
  from: "client" | "server";
  line: Record<string, unknown>;
}

export interface RecordedSession {
  messages: RecordedMessage[];
  scenario: Scenario;
  /** The client's requests in order. */
  requests: Record<string, unknown>[];
  /** The client's answers to server requests, by the server request's method. */
  replies: { method: string; reply: Record<string, unknown> }[];
}

export function readRecordedSession(text: string): RecordedSession {
  const messages = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as RecordedMessage);
  const replies: Record<string, Step[][]> = {};
  const startup: Step[] = [];
  const requests: Record<string, unknown>[] = [];
  const answers: RecordedSession["replies"] = [];
  const serverRequests = new Map<string, string>();
  let current: Step[] | undefined;

  for (const { from, line } of messages) {
    if (from === "server") {
      if (typeof line.method === "string" && line.id !== undefined) {
        serverRequests.set(JSON.stringify(line.id), line.method);
      }
      (current ?? startup).push(JSON.stringify(line));
      continue;
    }
    if (typeof line.method !== "string") {
      answers.push({ method: serverRequests.get(JSON.stringify(line.id)) ?? "", reply: line });
      continue;
    }
    if (line.id === undefined) continue; // a client notification (`initialized`)
    requests.push(line);
    current = [];
    const scripts = replies[line.method] ?? [];
    scripts.push(current);
    replies[line.method] = scripts;
  }
  return { messages, scenario: { startup, replies }, requests, replies: answers };
}
