// Where the SQLite database lives. The path is resolved against the workflow's directory, never
// the process CWD, so it does not move with `cd`.
import { isAbsolute, join } from "node:path";

export const DEFAULT_DB_FILE = ".sortie.db";

/** "" → `<workflowDir>/.sortie.db`; absolute → as is; relative → joined to workflowDir. */
export function resolveDbPath(setting: string, workflowDir: string): string {
  if (setting === "") return join(workflowDir, DEFAULT_DB_FILE);
  if (isAbsolute(setting)) return setting;
  return join(workflowDir, setting);
}
