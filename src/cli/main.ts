// Command routing: short-flag interception, subcommands (only as the very first argument), then
// the root command's flags.
import { errorMessage } from "../domain/errors.ts";
import { ROOT_HELP } from "./help.ts";
import { interceptShortFlags } from "./intercept.ts";
import type { CliIO } from "./io.ts";
import { mcpServerCommand } from "./mcp-server.ts";
import { parseRootArgs } from "./options.ts";
import { runCommand } from "./run.ts";
import { validateCommand } from "./validate.ts";
import { VERSION, versionBanner } from "./version.ts";

export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  const intercepted = interceptShortFlags(args);
  if (intercepted === "help") {
    io.stdout(ROOT_HELP);
    return 0;
  }
  if (intercepted === "version") {
    io.stdout(versionBanner());
    return 0;
  }
  if (args[0] === "validate") return validateCommand(args.slice(1), io);
  if (args[0] === "mcp-server") return mcpServerCommand(args.slice(1), io);
  let parsed: ReturnType<typeof parseRootArgs>;
  try {
    parsed = parseRootArgs(args, io.cwd);
  } catch (err) {
    io.stderr(`sortie: ${errorMessage(err)}\n`);
    return 1;
  }
  switch (parsed.action) {
    case "help":
      io.stdout(ROOT_HELP);
      return 0;
    case "dumpversion":
      io.stdout(`${VERSION}\n`);
      return 0;
    case "version":
      io.stdout(versionBanner());
      return 0;
    case "run":
      return runCommand(parsed.options, io);
  }
}
