// Builds throwaway workflow directories for end-to-end tests: a WORKFLOW.md, an issues.json for
// the file tracker, and paths for the database and workspaces, all inside one temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FileIssue {
  id: string;
  identifier: string;
  title: string;
  state: string;
  [key: string]: unknown;
}

export interface WorkflowDir {
  dir: string;
  workflow: string;
  issuesFile: string;
  dbPath: string;
  workspaces: string;
  writeWorkflow(frontMatter: string, prompt?: string): void;
  writeIssues(issues: FileIssue[]): void;
  readIssues(): FileIssue[];
  issue(id: string): FileIssue | undefined;
  cleanup(): void;
}

export function makeWorkflowDir(prefix = "sortie-e2e-"): WorkflowDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const w: WorkflowDir = {
    dir,
    workflow: join(dir, "WORKFLOW.md"),
    issuesFile: join(dir, "issues.json"),
    dbPath: join(dir, ".sortie.db"),
    workspaces: join(dir, "workspaces"),
    writeWorkflow(frontMatter, prompt = "Work on {{ .issue.identifier }}: {{ .issue.title }}") {
      writeFileSync(w.workflow, `---\n${frontMatter.trim()}\n---\n${prompt}\n`);
    },
    writeIssues(issues) {
      writeFileSync(w.issuesFile, `${JSON.stringify(issues, null, 2)}\n`);
    },
    readIssues() {
      return JSON.parse(readFileSync(w.issuesFile, "utf8")) as FileIssue[];
    },
    issue(id) {
      return w.readIssues().find((i) => i.id === id);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

/** Front matter for the file tracker + mock agent, with knobs the tests turn. */
export function fileMockFrontMatter(
  w: WorkflowDir,
  opts: {
    mock?: string;
    agent?: string;
    tracker?: string;
    extra?: string;
    pollMs?: number;
    maxAgents?: number;
  } = {},
): string {
  return `
tracker:
  kind: file
  active_states: [To Do, In Progress]
  in_progress_state: In Progress
  handoff_state: Human Review
  terminal_states: [Done, Cancelled]
${opts.tracker ?? ""}
file:
  path: ${w.issuesFile}
polling:
  interval_ms: ${opts.pollMs ?? 300}
workspace:
  root: ${w.workspaces}
db_path: ${w.dbPath}
agent:
  kind: mock
  max_concurrent_agents: ${opts.maxAgents ?? 2}
  max_turns: 1
  max_retry_backoff_ms: 500
${opts.agent ?? ""}
mock:
${opts.mock?.includes("turn_delay_ms") ? "" : "  turn_delay_ms: 50"}
${opts.mock ?? ""}
${opts.extra ?? ""}
`;
}
