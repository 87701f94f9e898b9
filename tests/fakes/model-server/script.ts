// The prompt language of the fake models: directives in the latest user text pick the answer
// (WRITE:<file>:<content>, BASH: or SHELL:<command>, SLEEP:<ms>), and a tool's output is quoted
// back as "Done. Tool said: <output>" so that a test sees the whole round trip in the final text.

export interface ScriptOptions {
  /** OpenCode quotes a prompt that contains spaces, so values also stop at a double quote. */
  stopAtQuote?: boolean;
}

export function scriptedDelayMs(text: string): number {
  return Number(/SLEEP:(\d+)/.exec(text)?.[1] ?? 0);
}

export function scriptedWrite(
  text: string,
  options: ScriptOptions = {},
): { file: string; content: string } | undefined {
  const q = options.stopAtQuote ? '"' : "";
  const match = new RegExp(`WRITE:([^:\\s${q}]+):([^\\n${q}]*)`).exec(text);
  if (match?.[1] === undefined) return undefined;
  return { file: match[1], content: match[2] ?? "" };
}

export function scriptedCommand(
  text: string,
  directive: "BASH" | "SHELL",
  options: ScriptOptions = {},
): string | undefined {
  const q = options.stopAtQuote ? '"' : "";
  return new RegExp(`${directive}:([^\\n${q}]+)`).exec(text)?.[1];
}

/** A relative file resolves against the working directory the agent told the model, if any. */
export function resolveFile(file: string, cwd: string | undefined): string {
  return file.startsWith("/") || cwd === undefined ? file : `${cwd}/${file}`;
}

export function toolSaid(output: string): string {
  return `Done. Tool said: ${output}`;
}
