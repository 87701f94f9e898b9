// `.sortie/mcp.json`: tells the agent CLI how to start sortie's own MCP tool server next to it,
// merged into the operator's MCP config when one is configured. The env block deliberately carries
// the SORTIE_* variables (the server needs the tracker credential), hence 0600 and the .gitignore.
import { readFile, realpath } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { errorMessage, SortieError } from "../domain/errors.ts";
import { isJsonObject } from "../domain/json.ts";
import { attemptValue, type ParentEnv, sortieVariables } from "./env.ts";
import { writeGitignore, writeSortieFile } from "./sortie-dir.ts";

export const MCP_SERVER_NAME = "sortie-tools";

export interface McpEnvInput {
  parentEnv: ParentEnv;
  issueId: string;
  issueIdentifier: string;
  workspace: string;
  dbPath: string;
  /** Always written; "" until sessions are known before start. */
  sessionId?: string;
  /** null on a first dispatch: SORTIE_ATTEMPT is then omitted. */
  attempt: number | null;
}

/** Every parent SORTIE_* variable, then the per-issue values. */
export function buildMcpEnv(input: McpEnvInput): Record<string, string> {
  const env = sortieVariables(input.parentEnv);
  // An inherited SORTIE_ATTEMPT would describe some other run; only this attempt's value may appear.
  delete env.SORTIE_ATTEMPT;
  env.SORTIE_ISSUE_ID = input.issueId;
  env.SORTIE_ISSUE_IDENTIFIER = input.issueIdentifier;
  env.SORTIE_WORKSPACE = input.workspace;
  env.SORTIE_DB_PATH = input.dbPath;
  env.SORTIE_SESSION_ID = input.sessionId ?? "";
  if (input.attempt !== null) env.SORTIE_ATTEMPT = attemptValue(input.attempt);
  return env;
}

export interface McpConfigOptions {
  /** The sortie binary (symlinks are resolved) or, when running from source, the runtime. */
  selfExecutable: string;
  /** Arguments placed before `mcp-server` (the entry script when running from source). */
  selfArgs?: string[];
  /** Absolute WORKFLOW.md path; the server loads the same workflow. */
  workflowPath: string;
  env: Record<string, string>;
  /** The operator's own MCP config to merge into; relative paths are taken from the workflow dir. */
  operatorConfigPath?: string | null;
}

export interface McpServerEntry {
  type: "stdio";
  command: string;
  args: string[];
  env: Record<string, string>;
}

function operatorError(message: string, cause?: unknown): SortieError {
  return new SortieError(
    "config",
    "config_error",
    `operator MCP config: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

async function loadOperatorConfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw operatorError(`cannot read ${JSON.stringify(path)}: ${errorMessage(err)}`, err);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw operatorError(`invalid JSON in ${JSON.stringify(path)}: ${errorMessage(err)}`, err);
  }
  if (!isJsonObject(doc)) throw operatorError(`${JSON.stringify(path)} is not a JSON object`);
  return doc;
}

/** The complete document: the operator's file (other keys kept) with the sortie server added. */
export async function buildMcpDocument(opts: McpConfigOptions): Promise<Record<string, unknown>> {
  if (!isAbsolute(opts.workflowPath)) {
    throw new SortieError("config", "config_error", `workflow path must be absolute: ${opts.workflowPath}`);
  }
  let command = opts.selfExecutable;
  try {
    command = await realpath(opts.selfExecutable);
  } catch {
    // Keep the given path; the agent reports a clearer error if it is really unusable.
  }
  const entry: McpServerEntry = {
    type: "stdio",
    command,
    args: [...(opts.selfArgs ?? []), "mcp-server", "--workflow", opts.workflowPath],
    env: { ...opts.env },
  };
  const operatorPath = opts.operatorConfigPath ?? "";
  if (operatorPath === "") return { mcpServers: { [MCP_SERVER_NAME]: entry } };

  const doc = await loadOperatorConfig(resolve(dirname(opts.workflowPath), operatorPath));
  const servers = doc.mcpServers ?? {};
  if (!isJsonObject(servers)) throw operatorError("'mcpServers' is not an object");
  if (Object.hasOwn(servers, MCP_SERVER_NAME)) {
    throw operatorError(`reserved server name ${JSON.stringify(MCP_SERVER_NAME)}`);
  }
  return { ...doc, mcpServers: { ...servers, [MCP_SERVER_NAME]: entry } };
}

/**
 * Creates `.sortie/` (0750), rewrites `.sortie/.gitignore`, and writes `.sortie/mcp.json`
 * atomically (0600). Returns the absolute path of mcp.json. Any problem throws: the attempt
 * cannot give the agent its tools.
 */
export async function writeMcpConfig(workspace: string, opts: McpConfigOptions): Promise<string> {
  const doc = await buildMcpDocument(opts);
  await writeGitignore(workspace); // creates .sortie first
  return writeSortieFile(workspace, "mcp.json", `${JSON.stringify(doc, null, 2)}\n`);
}
