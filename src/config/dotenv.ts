// The optional `.env` file of SORTIE_* overrides: one KEY=value per line, no interpolation, no
// escapes. It is re-read on every config build, so a ConfigMap/Secret edit applies on reload.
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { goQuote } from "../domain/go-format.ts";
import { WorkflowError } from "./errors.ts";
import type { Env } from "./expand.ts";
import { goTrimSpace } from "./go-scalar.ts";
import { goPathErrorText } from "./os-error.ts";

export interface DotEnvFile {
  /** The path as given (used in messages). */
  path: string;
  /** File contents; null when the file does not exist (a warning, not an error). */
  bytes: Uint8Array | null;
}

const VALID_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_LINE_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** `--env-file` when given, else `$SORTIE_ENV_FILE`, else none (no auto-discovery). */
export function resolveEnvFilePath(flagValue: string | undefined, env: Env): string | undefined {
  if (flagValue !== undefined && flagValue !== "") return flagValue;
  const fromEnv = env.SORTIE_ENV_FILE;
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

function dotenvError(message: string, path: string, cause?: unknown): WorkflowError {
  return new WorkflowError("config_error", `config: dotenv ${message}`, {
    path,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads the file (a relative path is taken against cwd). A missing file yields bytes: null. */
export async function readDotEnvFile(path: string, cwd: string): Promise<DotEnvFile> {
  const target = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    return { path, bytes: new Uint8Array(await readFile(target)) };
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") {
      return { path, bytes: null };
    }
    throw dotenvError(`${path}: ${goPathErrorText(err, path)}`, path, err);
  }
}

/** Parses .env text; only SORTIE_* keys are kept, later duplicates win. Errors are WorkflowErrors. */
export function parseDotEnv(content: Uint8Array | string, path: string): Record<string, string> {
  const text = typeof content === "string" ? content : decoder.decode(content);
  const result: Record<string, string> = {};
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    if (encoder.encode(rawLine).length > MAX_LINE_BYTES) {
      throw dotenvError(`${path}: bufio.Scanner: token too long`, path);
    }
    const line = goTrimSpace(rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine);
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq < 0) throw dotenvError(`${path}:${lineNumber}: missing '=' in line`, path);
    const key = goTrimSpace(line.slice(0, eq));
    let value = goTrimSpace(line.slice(eq + 1));
    if (!VALID_KEY.test(key)) throw dotenvError(`${path}:${lineNumber}: invalid key ${goQuote(key)}`, path);
    if (value.length >= 2) {
      const first = value[0];
      if ((first === '"' || first === "'") && value.endsWith(first)) value = value.slice(1, -1);
    }
    if (key.startsWith("SORTIE_")) result[key] = value;
  });
  return result;
}
