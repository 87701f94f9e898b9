// `sortie validate`: loads the workflow, builds its config, parses the template and runs the
// dispatch preflight, reporting every finding as a diagnostic. Never contacts the tracker and
// never creates the database. Usable as a pre-commit hook (exit 1 on any error).
import { resolve } from "node:path";
import {
  analyzeFrontMatter,
  type Diagnostic,
  type LoadedWorkflow,
  loadErrorDiagnostics,
  loadWorkflow,
  PROMOTION_ERROR_MESSAGE,
  silentLogger,
} from "../config/index.ts";
import { errorMessage, SortieError } from "../domain/errors.ts";
import { runPreflight } from "../orchestrator/preflight.ts";
import { analyzePromptTemplate, type PromptTemplate, parsePromptTemplate } from "../prompt/index.ts";
import { trackerStateDefaults } from "../trackers/registry.ts";
import { adapterCatalog } from "./adapters.ts";
import { FlagError, parseFlags } from "./flags.ts";
import { VALIDATE_HELP } from "./help.ts";
import { wantsSubcommandHelp } from "./intercept.ts";
import type { CliIO } from "./io.ts";

type Format = "text" | "json";

/** Go's json.Marshal escapes these for HTML safety; keep byte parity for scripts that compare output. */
function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function ordered(d: Diagnostic): Record<string, unknown> {
  const out: Record<string, unknown> = { severity: d.severity, check: d.check, message: d.message };
  if (d.line !== undefined) {
    if (d.file !== undefined) out.file = d.file;
    out.line = d.line;
    out.column = d.column ?? 1;
  }
  return out;
}

function textLine(d: Diagnostic): string {
  const where = d.line !== undefined && d.file !== undefined ? ` (${d.file}:${d.line}:${d.column ?? 1})` : "";
  return `${d.severity}: ${d.check}: ${d.message}${where}\n`;
}

function emit(io: CliIO, format: Format, errors: Diagnostic[], warnings: Diagnostic[]): number {
  if (format === "json") {
    io.stdout(
      `${goJson({ valid: errors.length === 0, errors: errors.map(ordered), warnings: warnings.map(ordered) })}\n`,
    );
  } else {
    for (const d of [...errors, ...warnings]) io.stderr(textLine(d));
  }
  return errors.length === 0 ? 0 : 1;
}

function templateDiagnostic(err: unknown): Diagnostic {
  const check =
    err instanceof SortieError && err.kind === "template_parse_error" ? "template_parse" : "workflow_load";
  return { severity: "error", check, message: errorMessage(err instanceof SortieError ? err.message : err) };
}

export async function validateCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (wantsSubcommandHelp(args)) {
    io.stdout(VALIDATE_HELP);
    return 0;
  }
  let format: Format = "text";
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args, [{ name: "format", kind: "string" }]);
  } catch (err) {
    // The format flag may have been read before the bad token: honour it when it is valid.
    const i = args.findIndex((a) => /^--?format(=|$)/.test(a));
    const value = i === -1 ? undefined : args[i]?.includes("=") ? args[i]?.split("=")[1] : args[i + 1];
    if (value === "json") format = "json";
    const message = err instanceof FlagError ? err.message : errorMessage(err);
    return emit(io, format, [{ severity: "error", check: "args", message }], []);
  }
  const rawFormat = parsed.values.get("format");
  if (typeof rawFormat === "string") {
    if (rawFormat !== "text" && rawFormat !== "json") {
      io.stderr(
        `sortie validate: invalid --format value ${JSON.stringify(rawFormat)}: must be "text" or "json"\n`,
      );
      return 1;
    }
    format = rawFormat;
  }
  if (parsed.positionals.length > 1) {
    return emit(io, format, [{ severity: "error", check: "args", message: "too many arguments" }], []);
  }
  const workflowPath = resolve(io.cwd, parsed.positionals[0] ?? "WORKFLOW.md");

  let loaded: LoadedWorkflow;
  try {
    loaded = await loadWorkflow({
      workflowPath,
      env: io.env,
      cwd: io.cwd,
      homeDir: io.env.HOME,
      stateDefaults: trackerStateDefaults,
      logger: silentLogger,
    });
  } catch (err) {
    const diagnostics = loadErrorDiagnostics(err) ?? [
      { severity: "error" as const, check: "workflow_load", message: errorMessage(err) },
    ];
    return emit(io, format, diagnostics, []);
  }

  const warnings = analyzeFrontMatter(loaded.raw, loaded.config, {
    file: workflowPath,
    positions: loaded.positions,
  });
  let template: PromptTemplate | null = null;
  let templateError: unknown = null;
  try {
    template = parsePromptTemplate(loaded.document.promptTemplate, {
      sourcePath: loaded.document.path,
      frontMatterLines: loaded.document.frontMatterLines,
    });
    warnings.push(
      ...analyzePromptTemplate(template).map((d) => ({
        ...d,
        file: d.line !== undefined ? workflowPath : d.file,
      })),
    );
  } catch (err) {
    templateError = err;
  }
  if (templateError !== null) return emit(io, format, [templateDiagnostic(templateError)], warnings);
  const tracker = loaded.config.tracker;
  if (tracker.activeStates.length === 0 && tracker.terminalStates.length === 0) {
    return emit(
      io,
      format,
      [{ severity: "error", check: "workflow_load", message: PROMOTION_ERROR_MESSAGE }],
      warnings,
    );
  }

  const preflight = await runPreflight(loaded.config, adapterCatalog(io.env));
  return emit(io, format, preflight.errors, [...warnings, ...preflight.warnings]);
}
