// A small Dockerfile reader for static checks: instructions with continuation lines joined and
// comments dropped, grouped into stages, with build-arg defaults substituted on request.
import { readFileSync } from "node:fs";

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function readDockerfile(path: string): Dockerfile {
  const lines = readFileSync(path, "utf8").split("\n");
  const instructions: Instruction[] = [];
  let current = "";
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) return;
    if (current !== "" && line.startsWith("#")) return;
    if (current === "") start = i + 1;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      return;
    }
    current += line;
    const m = /^(\S+)\s*(.*)$/s.exec(current)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, " ").trim(), line: start });
    current = "";
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`${path}:${ins.line}: unreadable FROM ${ins.args}`);
      stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== "ARG") throw new Error(`${path}:${ins.line}: ${ins.keyword} before FROM`);
      const [name, value] = splitArg(ins.args);
      globalArgs[name] = value;
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** `NAME=value` → [NAME, value]; the value may itself contain "=". */
function splitArg(text: string): [string, string] {
  const eq = text.indexOf("=");
  return eq === -1 ? [text, ""] : [text.slice(0, eq), text.slice(eq + 1)];
}

/** `${NAME}` / `$NAME` replaced by the defaults given. */
export function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (all, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    return name in args ? args[name]! : all;
  });
}

export function stageArgs(stage: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === "ARG")) {
    const [name, value] = splitArg(ins.args);
    out[name] = value;
  }
  return out;
}

export function find(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The JSON array of an exec-form ENTRYPOINT/CMD, or undefined for the shell form. */
export function execForm(ins: Instruction | undefined): string[] | undefined {
  if (!ins) return undefined;
  try {
    const v = JSON.parse(ins.args) as unknown;
    return Array.isArray(v) ? v.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/** COPY/ADD flags and operands: `--from=x a b /dest` → { flags: {from: x}, sources: [a, b], dest }. */
export function copyParts(ins: Instruction): {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
} {
  const words = ins.args.split(" ");
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith("--")) {
    const [k, v] = splitArg(words.shift()!.slice(2));
    flags[k] = v;
  }
  const dest = words.pop()!;
  return { flags, sources: words, dest };
}
