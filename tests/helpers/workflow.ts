// Builds throwaway workflow directories for end-to-end tests: a WORKFLOW.md, an issues.json for
// the file tracker, and paths for the database and workspaces, all inside one temp dir; or a
// shipped example workflow adapted to run there with the mock agent.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

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

/** The file tracker with the usual states, and this directory's issues file, workspaces and database. */
export function fileTrackerSections(
  w: WorkflowDir,
  opts: { pollMs?: number; tracker?: string } = {},
): string {
  return `tracker:
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
db_path: ${w.dbPath}`;
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
${fileTrackerSections(w, opts)}
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

const EXAMPLES = resolve(import.meta.dir, "../../examples");

/** An example's front matter: its top-level sections, as parsed. */
export type ExampleConfig = Record<string, Record<string, unknown>>;

/**
 * `examples/<name>` written as this directory's workflow with only what a test must change: the
 * mock agent (which writes RESULT.md after `turnDelayMs`), a 200 ms poll, this directory's
 * database and workspaces, and whatever `edit` changes first. The prompt is the example's.
 */
export function workflowFromExample(
  w: WorkflowDir,
  name: string,
  opts: { turnDelayMs: number; edit?: (config: ExampleConfig) => void },
): void {
  const source = readFileSync(join(EXAMPLES, name), "utf8");
  const [, frontMatter = "", prompt = ""] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(source) ?? [];
  const config = parse(frontMatter) as ExampleConfig;
  opts.edit?.(config);
  const adapted = {
    ...config,
    polling: { ...config.polling, interval_ms: 200 },
    db_path: w.dbPath,
    workspace: { ...config.workspace, root: w.workspaces },
    agent: { kind: "mock", max_concurrent_agents: 2, max_turns: 1 },
    mock: {
      turn_delay_ms: opts.turnDelayMs,
      write_file: { path: "RESULT.md", content: "done {identifier}" },
    },
  };
  w.writeWorkflow(stringify(adapted), prompt);
}
