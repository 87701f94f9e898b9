// Where the SQLite database and the automatic agent home live. The database path is resolved
// against the workflow's directory, never the process CWD, so it does not move with `cd`.
import { dirname, isAbsolute, join } from "node:path";
import type { ServiceConfig } from "./types.ts";

export const DEFAULT_DB_FILE = ".sortie.db";

/** "" → `<workflowDir>/.sortie.db`; absolute → as is; relative → joined to workflowDir. */
export function resolveDbPath(setting: string, workflowDir: string): string {
  if (setting === "") return join(workflowDir, DEFAULT_DB_FILE);
  if (isAbsolute(setting)) return setting;
  return join(workflowDir, setting);
}

/** The agent home: `agent.home_dir` when set, else `agent-home` next to the database. */
export function effectiveAgentHomeDir(config: Pick<ServiceConfig, "agent" | "dbPath">): string {
  return config.agent.homeDir !== "" ? config.agent.homeDir : join(dirname(config.dbPath), "agent-home");
}
