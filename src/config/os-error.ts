// Renders a Node/Bun file-system error the way Go's *PathError prints (`open /x: no such file or
// directory`), because workflow and .env errors embed it and users compare them with the original.

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
};

export function goPathErrorText(err: unknown, path: string): string {
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  const syscall =
    typeof err === "object" && err !== null && "syscall" in err && typeof err.syscall === "string"
      ? err.syscall
      : "open";
  const known = ERRNO_TEXT[code];
  if (known !== undefined) return `${syscall} ${path}: ${known}`;
  const message = err instanceof Error ? err.message : String(err);
  // Node's text is `<CODE>: <description>, <syscall> '<path>'`; keep the description.
  const description = /^[A-Z0-9_]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return `${syscall} ${path}: ${description}`;
}
