// The WORKFLOW.md of the Kubernetes deployment guide's ConfigMap must build as-is.
import { describe, expect, test } from "bun:test";
import { analyzeFrontMatter } from "../../../src/config/analyze.ts";
import { parseServerExtension } from "../../../src/config/extensions.ts";
import { buildFromText, expectConfig, issueTexts, WORKFLOW_PATH } from "./helpers.ts";

const CONFIGMAP_WORKFLOW = `---
tracker:
  kind: jira
  endpoint: $SORTIE_JIRA_ENDPOINT
  api_key: $SORTIE_JIRA_API_KEY
  project: $SORTIE_JIRA_PROJECT
  query_filter: "labels = 'agent-ready'"
  active_states:
    - To Do
    - In Progress
  in_progress_state: In Progress
  handoff_state: Human Review
  terminal_states:
    - Done
    - Won't Do
polling:
  interval_ms: 45000
db_path: /home/sortie/data/.sortie.db
workspace:
  root: /home/sortie/data/workspaces
agent:
  kind: claude-code
  command: claude
  max_concurrent_agents: 2
server:
  port: 7678
---
You are a senior engineer working on {{ .issue.identifier }}: {{ .issue.title }}
{{ if .issue.description }}
## Description
{{ .issue.description }}
{{ end }}
`;

const SECRET_ENV = {
  SORTIE_JIRA_ENDPOINT: "https://example.atlassian.net",
  SORTIE_JIRA_API_KEY: "user@example.com:token",
  SORTIE_JIRA_PROJECT: "PLAT",
  HOME: "/home/sortie",
};

describe("the deployment guide's ConfigMap workflow", () => {
  test("builds without errors when the Secret's variables are set", () => {
    const result = buildFromText(CONFIGMAP_WORKFLOW, { env: SECRET_ENV, homeDir: "/home/sortie", cwd: "/" });
    const config = expectConfig(result);
    expect(config.tracker).toMatchObject({
      kind: "jira",
      endpoint: "https://example.atlassian.net",
      project: "PLAT",
      queryFilter: "labels = 'agent-ready'",
      activeStates: ["To Do", "In Progress"],
      terminalStates: ["Done", "Won't Do"],
      inProgressState: "In Progress",
      handoffState: "Human Review",
    });
    expect(config.tracker.apiKey.reveal()).toBe("user@example.com:token");
    expect(config.polling.intervalMs).toBe(45_000);
    expect(config.dbPath).toBe("/home/sortie/data/.sortie.db");
    expect(config.workspace.root).toBe("/home/sortie/data/workspaces");
    expect(config.agent).toMatchObject({ kind: "claude-code", command: "claude", maxConcurrentAgents: 2 });
    expect(parseServerExtension(config.extensions).port).toEqual({
      ok: true,
      value: { port: 7678, explicit: true },
    });
    expect(
      analyzeFrontMatter(result.raw, config, { file: WORKFLOW_PATH, positions: result.positions }),
    ).toEqual([]);
  });

  test("with the variables unset, the empty values surface where the guide's users would look", () => {
    const result = buildFromText(CONFIGMAP_WORKFLOW, { env: {}, homeDir: "/home/sortie" });
    const config = expectConfig(result);
    // Empty credentials are a preflight error (not a config error); the build itself succeeds.
    expect(config.tracker.apiKey.isEmpty).toBe(true);
    expect(config.tracker.project).toBe("");
  });

  test("a handoff state taken from an unset variable is reported with its place in the file", () => {
    const text = CONFIGMAP_WORKFLOW.replace("handoff_state: Human Review", "handoff_state: $SORTIE_HANDOFF");
    expect(issueTexts(buildFromText(text, { env: SECRET_ENV }))).toEqual([
      "tracker.handoff_state: resolved to empty (check environment variable)",
    ]);
  });
});
