// The slice of JQL the fake Jira understands: `field = v`, `!=`, `IN (…)`, `NOT IN (…)`, AND, OR,
// NOT, parentheses and `ORDER BY f [ASC|DESC], …`. String literals use "…" or '…' with backslash
// escapes, exactly as Jira reads them, so a test sees a mis-quoted value fail or match wrongly
// instead of being forgiven. Anything else is a syntax error (the server answers 400).

export type JqlOperator = "=" | "!=" | "in" | "not in";

export type JqlExpr =
  | { type: "clause"; field: string; operator: JqlOperator; values: string[] }
  | { type: "and" | "or"; left: JqlExpr; right: JqlExpr }
  | { type: "not"; expr: JqlExpr };

export interface JqlOrder {
  field: string;
  direction: "asc" | "desc";
}

export interface JqlQuery {
  where: JqlExpr | null;
  orderBy: JqlOrder[];
}

export class JqlSyntaxError extends Error {}

type Token =
  | { kind: "string"; value: string }
  | { kind: "word"; value: string }
  | { kind: "punct"; value: "(" | ")" | "," | "=" | "!=" };

const WORD = /[A-Za-z0-9_.\-@]/;

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= jql.length) throw new JqlSyntaxError(`Error in the JQL Query: unterminated string literal`);
        const c = jql[i]!;
        if (c === "\\") {
          const next = jql[i + 1];
          if (next === undefined) throw new JqlSyntaxError("Error in the JQL Query: unterminated escape");
          value += next === "n" ? "\n" : next === "t" ? "\t" : next;
          i += 2;
          continue;
        }
        if (c === ch) {
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: "string", value });
      continue;
    }
    if (ch === "!" && jql[i + 1] === "=") {
      tokens.push({ kind: "punct", value: "!=" });
      i += 2;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === "," || ch === "=") {
      tokens.push({ kind: "punct", value: ch });
      i++;
      continue;
    }
    if (WORD.test(ch)) {
      let value = "";
      while (i < jql.length && WORD.test(jql[i]!)) value += jql[i++];
      tokens.push({ kind: "word", value });
      continue;
    }
    throw new JqlSyntaxError(
      `Error in the JQL Query: The character '${ch}' is a reserved JQL character. You must enclose it in a string.`,
    );
  }
  return tokens;
}

/** Parses a query; throws JqlSyntaxError with a Jira-like message. */
export function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (token: Token | undefined, word: string) =>
    token?.kind === "word" && token.value.toLowerCase() === word;
  const expectPunct = (value: string) => {
    const token = tokens[pos];
    if (token?.kind !== "punct" || token.value !== value) {
      throw new JqlSyntaxError(`Error in the JQL Query: Expecting '${value}' but got '${describe(token)}'.`);
    }
    pos++;
  };

  const value = (): string => {
    const token = tokens[pos];
    if (token === undefined || token.kind === "punct") {
      throw new JqlSyntaxError(
        `Error in the JQL Query: Expecting either a value, list or function but got '${describe(token)}'.`,
      );
    }
    if (token.kind === "word" && ["and", "or", "not", "in", "order"].includes(token.value.toLowerCase())) {
      throw new JqlSyntaxError(
        `Error in the JQL Query: '${token.value}' is a reserved JQL word. You must surround it in quotation marks to use it in a query.`,
      );
    }
    pos++;
    return token.value;
  };

  const list = (): string[] => {
    expectPunct("(");
    const values = [value()];
    while (peek()?.kind === "punct" && peek()?.value === ",") {
      pos++;
      values.push(value());
    }
    expectPunct(")");
    return values;
  };

  const clause = (): JqlExpr => {
    const token = tokens[pos];
    if (token === undefined || token.kind === "punct") {
      throw new JqlSyntaxError(
        `Error in the JQL Query: Expecting a field name but got '${describe(token)}'.`,
      );
    }
    pos++;
    const field = token.value.toLowerCase();
    const op = tokens[pos];
    if (op?.kind === "punct" && (op.value === "=" || op.value === "!=")) {
      pos++;
      return { type: "clause", field, operator: op.value, values: [value()] };
    }
    if (isWord(op, "in")) {
      pos++;
      return { type: "clause", field, operator: "in", values: list() };
    }
    if (isWord(op, "not") && isWord(tokens[pos + 1], "in")) {
      pos += 2;
      return { type: "clause", field, operator: "not in", values: list() };
    }
    throw new JqlSyntaxError(`Error in the JQL Query: Expecting operator but got '${describe(op)}'.`);
  };

  const unary = (): JqlExpr => {
    if (isWord(peek(), "not")) {
      pos++;
      return { type: "not", expr: unary() };
    }
    if (peek()?.kind === "punct" && peek()?.value === "(") {
      pos++;
      const inner = orExpr();
      expectPunct(")");
      return inner;
    }
    return clause();
  };

  const andExpr = (): JqlExpr => {
    let left = unary();
    while (isWord(peek(), "and")) {
      pos++;
      left = { type: "and", left, right: unary() };
    }
    return left;
  };

  function orExpr(): JqlExpr {
    let left = andExpr();
    while (isWord(peek(), "or")) {
      pos++;
      left = { type: "or", left, right: andExpr() };
    }
    return left;
  }

  const where = pos < tokens.length && !isWord(peek(), "order") ? orExpr() : null;
  const orderBy: JqlOrder[] = [];
  if (isWord(peek(), "order")) {
    pos++;
    if (!isWord(peek(), "by"))
      throw new JqlSyntaxError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    pos++;
    for (;;) {
      const field = value().toLowerCase();
      let direction: "asc" | "desc" = "asc";
      if (isWord(peek(), "asc") || isWord(peek(), "desc")) {
        direction = (tokens[pos] as { value: string }).value.toLowerCase() as "asc" | "desc";
        pos++;
      }
      orderBy.push({ field, direction });
      if (peek()?.kind === "punct" && peek()?.value === ",") {
        pos++;
        continue;
      }
      break;
    }
  }
  if (pos < tokens.length) {
    throw new JqlSyntaxError(`Error in the JQL Query: Expecting end of query but got '${describe(peek())}'.`);
  }
  return { where, orderBy };
}

function describe(token: Token | undefined): string {
  if (token === undefined) return "<EOF>";
  return token.value;
}

/** Every clause in the expression, for checks that the server runs before matching. */
export function clauses(expr: JqlExpr | null): Extract<JqlExpr, { type: "clause" }>[] {
  if (expr === null) return [];
  if (expr.type === "clause") return [expr];
  if (expr.type === "not") return clauses(expr.expr);
  return [...clauses(expr.left), ...clauses(expr.right)];
}

/** Evaluates with `fieldValues(field)` giving the values for a field (lower-cased). */
export function matches(expr: JqlExpr | null, fieldValues: (field: string) => string[]): boolean {
  if (expr === null) return true;
  switch (expr.type) {
    case "and":
      return matches(expr.left, fieldValues) && matches(expr.right, fieldValues);
    case "or":
      return matches(expr.left, fieldValues) || matches(expr.right, fieldValues);
    case "not":
      return !matches(expr.expr, fieldValues);
    case "clause": {
      const have = fieldValues(expr.field);
      const wanted = expr.values.map((value) => value.toLowerCase());
      const hit = have.some((value) => wanted.includes(value));
      return expr.operator === "=" || expr.operator === "in" ? hit : !hit;
    }
  }
}
