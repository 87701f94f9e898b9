// The engine's error type. Messages are byte-for-byte Go text/template messages; `line` is the
// template-relative line Go would report (0 when the message carries none).

export class TemplateError extends Error {
  constructor(
    readonly phase: "parse" | "exec",
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

/** A failure inside a template function; the executor reports it as `error calling <fn>: <message>`. */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuncError";
  }
}
