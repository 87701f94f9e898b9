// How sortie starts itself again (for the MCP server entry in `.sortie/mcp.json`): the compiled
// binary runs directly; from source, the runtime runs the entry script.

export interface SelfCommand {
  /** `selfExecutable` for writeMcpConfig. */
  executable: string;
  /** `selfArgs` for writeMcpConfig: the entry script when running from source, else none. */
  args: string[];
}

/** Entry points of a `bun build --compile` binary live in Bun's embedded file system. */
function isCompiledEntry(main: string): boolean {
  return main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(main);
}

export function sortieSelfCommand(
  runtime: { execPath: string; main: string } = { execPath: process.execPath, main: Bun.main },
): SelfCommand {
  if (isCompiledEntry(runtime.main)) return { executable: runtime.execPath, args: [] };
  return { executable: runtime.execPath, args: [runtime.main] };
}
