// Static help texts (stdout, exit 0). Kept as plain text so they read the same as the Go original's.

export const ROOT_HELP = `sortie turns issue-tracker tickets into unattended coding-agent sessions.

Usage:
  sortie [flags] [workflow-path]
  sortie <command> [flags] [args]

Commands:
  validate     Check a WORKFLOW.md file without running it
  mcp-server   Serve Sortie's agent tools over MCP on stdio (started by agents)

Flags:
  -h, --help       Show this help
  -V, --version    Print version information
  -dumpversion     Print the version number only

Run options:
  --dry-run              Poll the tracker once, report what would be dispatched, then exit
  --env-file PATH        Read SORTIE_* overrides from a .env file (default $SORTIE_ENV_FILE)
  --log-level LEVEL      Log level: debug, info, warn, error (default "info")
  --log-format FORMAT    Log format: text, json (default "text")
  --host ADDRESS         HTTP server listen address, an IP literal (default "127.0.0.1")
  --port PORT            HTTP server port, 0 disables it (default 7678)

Flags may also follow the workflow path: sortie WORKFLOW.md --port 8080.
The workflow path defaults to ./WORKFLOW.md.

Examples:
  sortie
  sortie --port 8080 ./WORKFLOW.md
  sortie validate --format json ./WORKFLOW.md

Learn more:
  https://github.com/sortie-ai/sortie
`;

export const VALIDATE_HELP = `Check a WORKFLOW.md file without running it.

Usage:
  sortie validate [--format text|json] [workflow-path]

Loads the workflow, builds its configuration, parses the prompt template and runs the
dispatch preflight checks. Never contacts the tracker, never creates the database.
Exits 0 when there are no errors (warnings allowed), 1 otherwise.

Flags:
  --format FORMAT   Output format: text (diagnostics on stderr) or json (one document on stdout) (default "text")
  -h, --help        Show this help

Flags may also follow the workflow path: sortie validate WORKFLOW.md --format json.
The workflow path defaults to ./WORKFLOW.md.

Examples:
  sortie validate
  sortie validate --format json ./WORKFLOW.md
`;

export const MCP_SERVER_HELP = `Serve Sortie's agent tools over the Model Context Protocol on stdin/stdout.

Usage:
  sortie mcp-server --workflow <absolute-path>

Agents start this process from the .sortie/mcp.json file Sortie writes into each workspace;
it is not meant to be run by hand.

Flags:
  --workflow PATH   Absolute path of the WORKFLOW.md to load (required)
  -h, --help        Show this help
`;
