// The Go original's pre-parse interception: `-h`/`-help` anywhere prints help and `-V` anywhere
// prints the banner, before any flag parsing, until a subcommand name or `--` is seen.

export type Intercepted = "help" | "version" | null;

export function interceptShortFlags(args: readonly string[]): Intercepted {
  for (const token of args) {
    if (token === "validate" || token === "mcp-server" || token === "--") return null;
    if (token === "-h" || token === "-help") return "help";
    if (token === "-V") return "version";
  }
  return null;
}

/** Subcommand help detection: any of -h, -help, --help before a `--` token. */
export function wantsSubcommandHelp(args: readonly string[]): boolean {
  for (const token of args) {
    if (token === "--") return false;
    if (token === "-h" || token === "-help" || token === "--help") return true;
  }
  return false;
}
