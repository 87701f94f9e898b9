import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDotEnv, readDotEnvFile, resolveEnvFilePath } from "../../../src/config/dotenv.ts";
import { WorkflowError } from "../../../src/config/errors.ts";
import { makeTempDir } from "./helpers.ts";

const PATH = "/cfg/.env";

describe("parseDotEnv", () => {
  const cases: [string, string, Record<string, string>][] = [
    ["empty file", "", {}],
    ["comment lines", "# comment\n  # indented comment\n", {}],
    ["blank lines", "\n\n   \n", {}],
    ["simple pair", "SORTIE_FOO=bar\n", { SORTIE_FOO: "bar" }],
    ["several pairs", "SORTIE_FOO=bar\nSORTIE_BAR=baz\n", { SORTIE_FOO: "bar", SORTIE_BAR: "baz" }],
    ["non-SORTIE keys ignored", "OTHER=x\nSORTIE_KEEP=yes\nANOTHER=y\n", { SORTIE_KEEP: "yes" }],
    ["double quotes stripped", 'SORTIE_KEY="my-value"\n', { SORTIE_KEY: "my-value" }],
    ["single quotes stripped", "SORTIE_KEY='my-value'\n", { SORTIE_KEY: "my-value" }],
    ["whitespace around key and value trimmed", "  SORTIE_KEY  =  value  \n", { SORTIE_KEY: "value" }],
    ["no interpolation", "SORTIE_KEY=$FOO_BAR\n", { SORTIE_KEY: "$FOO_BAR" }],
    ["first = splits", "SORTIE_KEY=val=ue\n", { SORTIE_KEY: "val=ue" }],
    ["empty value", "SORTIE_KEY=\n", { SORTIE_KEY: "" }],
    ["quoted spaces kept", 'SORTIE_KEY="hello world"\n', { SORTIE_KEY: "hello world" }],
    ["unmatched quote kept", 'SORTIE_KEY="unmatched\n', { SORTIE_KEY: '"unmatched' }],
    ["mixed quotes kept", "SORTIE_KEY=\"x'\n", { SORTIE_KEY: "\"x'" }],
    ["no inline comments", "SORTIE_KEY=a # b\n", { SORTIE_KEY: "a # b" }],
    ["later duplicates win", "SORTIE_KEY=1\nSORTIE_KEY=2\n", { SORTIE_KEY: "2" }],
    ["CRLF lines", "SORTIE_A=1\r\nSORTIE_B=2\r\n", { SORTIE_A: "1", SORTIE_B: "2" }],
    ["last line without newline", "SORTIE_A=1", { SORTIE_A: "1" }],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => {
      expect(parseDotEnv(text, PATH)).toEqual(want);
    });
  }

  const errors: [string, string, string][] = [
    ["missing =", "SORTIE_KEY_NO_EQUALS\n", `config: dotenv ${PATH}:1: missing '=' in line`],
    [
      "line numbers count blanks and comments",
      "# c\n\nSORTIE_BAD\n",
      `config: dotenv ${PATH}:3: missing '=' in line`,
    ],
    ["dash in key", "SORTIE_KEY-INVALID=val\n", `config: dotenv ${PATH}:1: invalid key "SORTIE_KEY-INVALID"`],
    ["space in key", "SORTIE KEY=val\n", `config: dotenv ${PATH}:1: invalid key "SORTIE KEY"`],
    ["export prefix", "export FOO=1\n", `config: dotenv ${PATH}:1: invalid key "export FOO"`],
    ["key checked even when not SORTIE_", "1BAD=x\n", `config: dotenv ${PATH}:1: invalid key "1BAD"`],
  ];
  for (const [name, text, message] of errors) {
    test(`error: ${name}`, () => {
      let error: unknown;
      try {
        parseDotEnv(text, PATH);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WorkflowError);
      expect((error as WorkflowError).message).toBe(message);
      expect(String(error)).toBe(message);
    });
  }

  test("a line over 64 KiB is an error", () => {
    expect(() => parseDotEnv(`SORTIE_X=${"a".repeat(70_000)}\n`, PATH)).toThrow(
      `config: dotenv ${PATH}: bufio.Scanner: token too long`,
    );
  });
});

describe("readDotEnvFile", () => {
  let dir: { path: string; cleanup: () => void };
  afterEach(() => dir?.cleanup());

  test("a missing file yields bytes: null", async () => {
    dir = makeTempDir();
    expect(await readDotEnvFile(join(dir.path, "missing.env"), dir.path)).toEqual({
      path: join(dir.path, "missing.env"),
      bytes: null,
    });
  });

  test("a relative path is read against cwd but reported as typed", async () => {
    dir = makeTempDir();
    writeFileSync(join(dir.path, "my.env"), "SORTIE_A=1\n");
    const file = await readDotEnvFile("my.env", dir.path);
    expect(file.path).toBe("my.env");
    expect(parseDotEnv(file.bytes as Uint8Array, file.path)).toEqual({ SORTIE_A: "1" });
  });

  test("another read error is a config error with the os error text", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "a-directory");
    mkdirSync(path);
    const error = await readDotEnvFile(path, dir.path).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).message).toBe(`config: dotenv ${path}: read ${path}: is a directory`);
  });
});

describe("resolveEnvFilePath", () => {
  test("the flag wins over SORTIE_ENV_FILE; empty values count as unset", () => {
    expect(resolveEnvFilePath("flag.env", { SORTIE_ENV_FILE: "env.env" })).toBe("flag.env");
    expect(resolveEnvFilePath(undefined, { SORTIE_ENV_FILE: "env.env" })).toBe("env.env");
    expect(resolveEnvFilePath("", { SORTIE_ENV_FILE: "" })).toBeUndefined();
    expect(resolveEnvFilePath(undefined, {})).toBeUndefined();
  });
});
