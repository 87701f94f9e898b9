// argv → typed options for the root (run) command.
import { resolve } from "node:path";
import { type FlagSpec, parseFlags } from "./flags.ts";

export const ROOT_FLAGS: FlagSpec[] = [
  { name: "version", kind: "bool", aliases: ["V"] },
  { name: "dumpversion", kind: "bool" },
  { name: "dry-run", kind: "bool" },
  { name: "env-file", kind: "string" },
  { name: "log-level", kind: "string" },
  { name: "log-format", kind: "string" },
  { name: "host", kind: "string" },
  { name: "port", kind: "int" },
];

export interface RunOptions {
  workflowPath: string;
  dryRun: boolean;
  envFile?: string;
  logLevel?: string;
  logFormat?: string;
  host?: string;
  port?: number;
}

export type RootParse =
  | { action: "help" }
  | { action: "version" }
  | { action: "dumpversion" }
  | { action: "run"; options: RunOptions };

/** Parses root flags; throws FlagError (or Error "too many arguments") with the text for `sortie: <err>`. */
export function parseRootArgs(args: readonly string[], cwd: string): RootParse {
  const parsed = parseFlags(args, ROOT_FLAGS);
  if (parsed.helpRequested) return { action: "help" };
  if (parsed.values.get("dumpversion") === true) return { action: "dumpversion" };
  if (parsed.values.get("version") === true) return { action: "version" };
  if (parsed.positionals.length > 1) throw new Error("too many arguments");
  const str = (name: string): string | undefined => {
    const v = parsed.values.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const port = parsed.values.get("port");
  return {
    action: "run",
    options: {
      workflowPath: resolve(cwd, parsed.positionals[0] ?? "WORKFLOW.md"),
      dryRun: parsed.values.get("dry-run") === true,
      envFile: str("env-file"),
      logLevel: str("log-level"),
      logFormat: str("log-format"),
      host: str("host"),
      port: typeof port === "number" ? port : undefined,
    },
  };
}
