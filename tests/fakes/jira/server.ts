// A fake Jira Cloud REST v3 site on a local port, for adapter, integration and end-to-end tests.
// It keeps issues, comments and statuses in memory and behaves like Jira where sortie depends on
// it: Basic auth (401 + X-Seraph-LoginReason), cursor-paged `search/jql` that actually evaluates
// its JQL (400 for syntax errors, unknown fields, projects and statuses), `fields` selection,
// offset-paged comments that may come in short pages, workflow transitions (GET, POST 204),
// comment POST 201 with an ADF check, label PUT 204, and injectable faults (403, 429 +
// Retry-After, 5xx, …). Every request is recorded for assertions.
import type { Server } from "bun";
import { clauses, type JqlExpr, type JqlQuery, JqlSyntaxError, matches, parseJql } from "./jql.ts";

/** An issue as Jira returns it with all fields: `{id, key, fields: {...}}`. */
export interface JiraIssueJson {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface JiraCommentJson {
  id: string;
  author: { displayName: string; [extra: string]: unknown } | null;
  body: unknown;
  created: string;
  [extra: string]: unknown;
}

export interface JiraTransitionJson {
  id: string;
  name: string;
  to: { name: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

export interface RecordedJiraRequest {
  method: string;
  /** Decoded path, e.g. `/rest/api/3/issue/PROJ-1/transitions`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** The status the fake answered with. */
  status: number;
}

/**
 * A scripted failure: the next `times` matching requests get this response instead. Status 0
 * answers normally (after `delayMs`), for slow but correct responses.
 */
export interface JiraFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Default 1. */
  times?: number;
  method?: string;
  /** Matched against the decoded path: equal string or RegExp test. */
  path?: string | RegExp;
  /** Answer only after this many milliseconds (timeouts, aborts). */
  delayMs?: number;
}

export interface FakeJiraOptions {
  issues?: readonly JiraIssueJson[];
  /** Comments per issue id or key, oldest first. */
  comments?: Readonly<Record<string, readonly JiraCommentJson[]>>;
  /** Workflow statuses besides those the issues are in; JQL naming any other status is a 400. */
  statuses?: readonly string[];
  /** Project keys besides those of the issues' keys. */
  projects?: readonly string[];
  /**
   * Transitions offered for an issue. Default: one transition to every other known status, with
   * a stable id per destination.
   */
  transitions?: (issue: JiraIssueJson) => readonly JiraTransitionJson[];
  /** Accepted Basic credentials; default `sortie@example.com` / `jira-api-token-0000`. */
  email?: string;
  token?: string;
  /** Largest search page the server hands out, whatever maxResults asks; default 100. */
  maxSearchPageSize?: number;
  /** Largest comment page, whatever maxResults asks; default 100. */
  maxCommentPageSize?: number;
  /** Answer `key IN (…)` naming a missing key with 400, as Jira sometimes does. */
  rejectUnknownKeys?: boolean;
  /** Display name of comments posted through the API; default "Sortie Bot". */
  accountName?: string;
  now?: () => Date;
}

export interface FakeJira {
  /** `http://127.0.0.1:<port>`: the site root to use as `tracker.endpoint`. */
  url: string;
  email: string;
  token: string;
  /** `email:token`, the api_key value the fake accepts. */
  apiKey: string;
  requests: RecordedJiraRequest[];
  /** Requests whose path starts with the prefix (default all), optionally of one method. */
  requestsTo(pathPrefix: string, method?: string): RecordedJiraRequest[];
  /** The JQL of every search request, in order. */
  searches(): string[];
  issue(idOrKey: string): JiraIssueJson | undefined;
  statusOf(idOrKey: string): string | undefined;
  /** Moves an issue to a status, as a person would in the Jira UI. */
  setStatus(idOrKey: string, status: string): void;
  addIssue(issue: JiraIssueJson): void;
  comments(idOrKey: string): JiraCommentJson[];
  /** Queues a fault; faults are used in the order queued. */
  inject(fault: JiraFault): void;
  /** The next `times` requests answer 429 with `Retry-After: <seconds>`. */
  rateLimit(retryAfterSeconds: number, times?: number): void;
  /** Every request answers 401 with `X-Seraph-LoginReason: AUTHENTICATION_DENIED` (CAPTCHA). */
  lockOut(locked?: boolean): void;
  stop(): Promise<void>;
}

const DEFAULT_EMAIL = "sortie@example.com";
const DEFAULT_TOKEN = "jira-api-token-0000";
const API = "/rest/api/3";

export function startFakeJira(options: FakeJiraOptions = {}): FakeJira {
  const email = options.email ?? DEFAULT_EMAIL;
  const token = options.token ?? DEFAULT_TOKEN;
  const expectedAuth = `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
  const now = options.now ?? (() => new Date());
  const issues: JiraIssueJson[] = (options.issues ?? []).map((issue) => structuredClone(issue));
  const comments = new Map<string, JiraCommentJson[]>();
  const extraStatuses = [...(options.statuses ?? [])];
  const extraProjects = [...(options.projects ?? [])];
  const faults: (JiraFault & { remaining: number })[] = [];
  const requests: RecordedJiraRequest[] = [];
  let locked = false;
  let nextCommentId = 90001;

  const find = (idOrKey: string): JiraIssueJson | undefined =>
    issues.find((issue) => issue.id === idOrKey || issue.key.toLowerCase() === idOrKey.toLowerCase());

  for (const [idOrKey, list] of Object.entries(options.comments ?? {})) {
    const issue = find(idOrKey);
    comments.set(
      issue?.id ?? idOrKey,
      list.map((comment) => structuredClone(comment)),
    );
  }

  const statusName = (issue: JiraIssueJson): string =>
    ((issue.fields.status as { name?: string } | null | undefined)?.name ?? "").toString();

  const knownStatuses = (): string[] => {
    const all = [...extraStatuses, ...issues.map(statusName)];
    return [...new Map(all.filter((s) => s !== "").map((s) => [s.toLowerCase(), s])).values()];
  };

  const knownProjects = (): Set<string> =>
    new Set([...extraProjects, ...issues.map((issue) => projectOf(issue))].map((p) => p.toLowerCase()));

  const transitionsFor = (issue: JiraIssueJson): JiraTransitionJson[] => {
    if (options.transitions !== undefined) return options.transitions(issue).map((t) => structuredClone(t));
    const current = statusName(issue).toLowerCase();
    return knownStatuses()
      .map((status, index) => ({ status, index }))
      .filter(({ status }) => status.toLowerCase() !== current)
      .map(({ status, index }) => ({
        id: String((index + 1) * 10 + 1),
        name: `Move to ${status}`,
        to: { name: status, id: String(index + 1) },
        hasScreen: false,
        isGlobal: true,
      }));
  };

  /** An issue as served: requested fields only, linked issues' statuses current. */
  const present = (issue: JiraIssueJson, fields: string | null, base: string): Record<string, unknown> => {
    const full = structuredClone(issue.fields);
    const links = full.issuelinks;
    if (Array.isArray(links)) {
      for (const link of links as Record<string, unknown>[]) {
        for (const side of ["inwardIssue", "outwardIssue"]) {
          const linked = link?.[side] as { id?: string; fields?: Record<string, unknown> } | undefined;
          const target = linked?.id === undefined ? undefined : find(linked.id);
          if (linked !== undefined && target !== undefined) {
            linked.fields = { ...(linked.fields ?? {}), status: structuredClone(target.fields.status) };
          }
        }
      }
    }
    const selected: Record<string, unknown> = {};
    const wanted = fields === null ? ["*all"] : fields.split(",").map((f) => f.trim());
    const all = wanted.includes("*all") || wanted.includes("*navigable");
    for (const [name, value] of Object.entries(full)) {
      if (all || wanted.includes(name)) selected[name] = value;
    }
    return {
      expand: "",
      id: issue.id,
      self: `${base}${API}/issue/${issue.id}`,
      key: issue.key,
      fields: selected,
    };
  };

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      const recorded: RecordedJiraRequest = {
        method: request.method,
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: request.headers,
        body,
        status: 0,
      };
      requests.push(recorded);
      const fault = takeFault(recorded);
      if (fault?.delayMs !== undefined) await Bun.sleep(fault.delayMs);
      const response = answer(recorded, `${url.protocol}//${url.host}`, fault);
      recorded.status = response.status;
      return response;
    },
  });

  function answer(req: RecordedJiraRequest, base: string, fault: JiraFault | undefined): Response {
    if (fault !== undefined && fault.status !== 0) {
      return json(fault.body ?? { errorMessages: [`injected ${fault.status}`], errors: {} }, fault.status, {
        ...fault.headers,
      });
    }
    if (locked) {
      return text("Client must be authenticated to access this resource.", 401, {
        "x-seraph-loginreason": "AUTHENTICATION_DENIED",
      });
    }
    if (req.headers.get("authorization") !== expectedAuth) {
      return text("Client must be authenticated to access this resource.", 401, {
        "x-seraph-loginreason": "AUTHENTICATED_FAILED",
      });
    }
    const path = req.path;
    if (req.method === "GET" && path === `${API}/search/jql`) return search(req, base);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(path);
    if (match === null) return errors(404, "Not found");
    const issue = find(match[1]!);
    if (issue === undefined)
      return errors(404, "Issue does not exist or you do not have permission to see it.");
    const sub = match[2] ?? "";
    if (sub === "" && req.method === "GET") return json(present(issue, req.query.get("fields"), base));
    if (sub === "" && req.method === "PUT") return editIssue(issue, req.body);
    if (sub === "/comment" && req.method === "GET") return listComments(issue, req.query);
    if (sub === "/comment" && req.method === "POST") return postComment(issue, req.body);
    if (sub === "/transitions" && req.method === "GET") {
      return json({ expand: "transitions", transitions: transitionsFor(issue) });
    }
    if (sub === "/transitions" && req.method === "POST") return doTransition(issue, req.body);
    return errors(405, "Method not allowed");
  }

  function takeFault(req: RecordedJiraRequest): JiraFault | undefined {
    const index = faults.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === req.method) &&
        (fault.path === undefined ||
          (typeof fault.path === "string" ? fault.path === req.path : fault.path.test(req.path))),
    );
    if (index === -1) return undefined;
    const fault = faults[index]!;
    fault.remaining--;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  function search(req: RecordedJiraRequest, base: string): Response {
    const jql = req.query.get("jql") ?? "";
    let query: JqlQuery;
    try {
      query = parseJql(jql);
      checkValues(query.where);
    } catch (err) {
      if (err instanceof JqlSyntaxError) return errors(400, err.message);
      throw err;
    }
    const found = issues.filter((issue) => matches(query.where, (field) => fieldValues(issue, field)));
    sortIssues(found, query);
    const tokenParam = req.query.get("nextPageToken");
    let offset = 0;
    if (tokenParam !== null) {
      const decoded = decodeToken(tokenParam);
      if (decoded === null || decoded.jql !== jql)
        return errors(400, "The provided next page token is invalid.");
      offset = decoded.offset;
    }
    const requested = Number.parseInt(req.query.get("maxResults") ?? "50", 10);
    const size = Math.max(
      1,
      Math.min(Number.isNaN(requested) ? 50 : requested, options.maxSearchPageSize ?? 100),
    );
    const page = found.slice(offset, offset + size);
    const end = offset + page.length;
    const fields = req.query.get("fields");
    const out: Record<string, unknown> = {
      issues: page.map((issue) => (fields === null ? { id: issue.id } : present(issue, fields, base))),
      isLast: end >= found.length,
    };
    if (end < found.length) out.nextPageToken = encodeToken({ jql, offset: end });
    return json(out);
  }

  /** Values Jira would reject before running the query: unknown fields, projects, statuses, keys. */
  function checkValues(where: JqlExpr | null): void {
    for (const clause of clauses(where)) {
      switch (clause.field) {
        case "project":
          for (const value of clause.values) {
            if (!knownProjects().has(value.toLowerCase())) {
              throw new JqlSyntaxError(`The value '${value}' does not exist for the field 'project'.`);
            }
          }
          break;
        case "status": {
          const statuses = new Set(knownStatuses().map((s) => s.toLowerCase()));
          for (const value of clause.values) {
            if (!statuses.has(value.toLowerCase())) {
              throw new JqlSyntaxError(`The value '${value}' does not exist for the field 'status'.`);
            }
          }
          break;
        }
        case "key":
        case "issuekey":
          for (const value of clause.values) {
            if (options.rejectUnknownKeys && find(value) === undefined) {
              throw new JqlSyntaxError(`An issue with key '${value}' does not exist for field 'key'.`);
            }
          }
          break;
        case "id":
          for (const value of clause.values) {
            if (!/^\d+$/.test(value)) {
              throw new JqlSyntaxError(`The issue key '${value}' for field 'id' is invalid.`);
            }
          }
          break;
        case "labels":
        case "issuetype":
        case "type":
        case "assignee":
          break;
        default:
          throw new JqlSyntaxError(
            `Field '${clause.field}' does not exist or you do not have permission to view it.`,
          );
      }
    }
  }

  function fieldValues(issue: JiraIssueJson, field: string): string[] {
    const f = issue.fields;
    switch (field) {
      case "project":
        return [projectOf(issue).toLowerCase()];
      case "status":
        return [statusName(issue).toLowerCase()];
      case "key":
      case "issuekey":
        return [issue.key.toLowerCase()];
      case "id":
        return [issue.id];
      case "labels":
        return ((f.labels as string[] | null | undefined) ?? []).map((label) => label.toLowerCase());
      case "issuetype":
      case "type":
        return [((f.issuetype as { name?: string } | null)?.name ?? "").toLowerCase()];
      case "assignee":
        return [((f.assignee as { displayName?: string } | null)?.displayName ?? "").toLowerCase()];
      default:
        return [];
    }
  }

  function sortIssues(found: JiraIssueJson[], query: JqlQuery): void {
    const keyOf = (issue: JiraIssueJson, field: string): string | number => {
      const f = issue.fields;
      switch (field) {
        case "priority":
          return (
            Number.parseInt((f.priority as { id?: string } | null)?.id ?? "", 10) || Number.MAX_SAFE_INTEGER
          );
        case "created":
        case "updated":
          return String(f[field] ?? "");
        case "key":
          return `${projectOf(issue)}-${issue.key.slice(issue.key.lastIndexOf("-") + 1).padStart(12, "0")}`;
        case "id":
          return Number.parseInt(issue.id, 10);
        case "status":
          return statusName(issue);
        default:
          return "";
      }
    };
    found.sort((a, b) => {
      for (const { field, direction } of query.orderBy) {
        const x = keyOf(a, field);
        const y = keyOf(b, field);
        if (x === y) continue;
        const order = x < y ? -1 : 1;
        return direction === "asc" ? order : -order;
      }
      return 0;
    });
  }

  function listComments(issue: JiraIssueJson, query: URLSearchParams): Response {
    const all = [...(comments.get(issue.id) ?? [])];
    if (query.get("orderBy") === "-created") all.reverse();
    const startAt = Math.max(0, Number.parseInt(query.get("startAt") ?? "0", 10) || 0);
    const requested = Number.parseInt(query.get("maxResults") ?? "50", 10);
    const maxResults = Math.max(
      1,
      Math.min(Number.isNaN(requested) ? 50 : requested, options.maxCommentPageSize ?? 100),
    );
    return json({
      startAt,
      maxResults,
      total: all.length,
      comments: all.slice(startAt, startAt + maxResults),
    });
  }

  function postComment(issue: JiraIssueJson, raw: string): Response {
    const payload = parseBody(raw) as { body?: unknown } | undefined;
    if (!isValidAdf(payload?.body)) {
      return json({ errorMessages: [], errors: { comment: "Comment body is not valid!" } }, 400);
    }
    const created = jiraTimestamp(now());
    const comment: JiraCommentJson = {
      id: String(nextCommentId++),
      author: { displayName: options.accountName ?? "Sortie Bot", emailAddress: email },
      body: payload?.body,
      created,
      updated: created,
    };
    const list = comments.get(issue.id) ?? [];
    list.push(comment);
    comments.set(issue.id, list);
    return json(comment, 201);
  }

  function doTransition(issue: JiraIssueJson, raw: string): Response {
    const payload = parseBody(raw) as { transition?: { id?: unknown } } | undefined;
    const id = payload?.transition?.id;
    if (typeof id !== "string" && typeof id !== "number") {
      return json({ errorMessages: ["Missing 'transition' identifier"], errors: {} }, 400);
    }
    const transition = transitionsFor(issue).find((t) => t.id === String(id));
    if (transition === undefined) {
      return json({ errorMessages: [`Transition id '${id}' is not valid for this issue.`], errors: {} }, 400);
    }
    issue.fields.status = { ...(issue.fields.status as object), name: transition.to.name };
    issue.fields.updated = jiraTimestamp(now());
    return new Response(null, { status: 204 });
  }

  function editIssue(issue: JiraIssueJson, raw: string): Response {
    const payload = parseBody(raw) as { update?: { labels?: unknown } } | undefined;
    const ops = payload?.update?.labels;
    if (!Array.isArray(ops)) return json({ errorMessages: ["No fields to update"], errors: {} }, 400);
    const labels = [...((issue.fields.labels as string[] | null | undefined) ?? [])];
    for (const op of ops as { add?: unknown; remove?: unknown }[]) {
      for (const value of [op?.add, op?.remove]) {
        if (typeof value === "string" && /\s/.test(value)) {
          return json(
            {
              errorMessages: [],
              errors: { labels: `The label '${value}' contains spaces which is invalid.` },
            },
            400,
          );
        }
      }
      if (typeof op?.add === "string" && !labels.includes(op.add)) labels.push(op.add);
      const removed = typeof op?.remove === "string" ? labels.indexOf(op.remove) : -1;
      if (removed !== -1) labels.splice(removed, 1);
    }
    issue.fields.labels = labels;
    issue.fields.updated = jiraTimestamp(now());
    return new Response(null, { status: 204 });
  }

  return {
    url: `http://127.0.0.1:${server.port}`,
    email,
    token,
    apiKey: `${email}:${token}`,
    requests,
    requestsTo: (pathPrefix, method) =>
      requests.filter((r) => r.path.startsWith(pathPrefix) && (method === undefined || r.method === method)),
    searches: () =>
      requests.filter((r) => r.path === `${API}/search/jql`).map((r) => r.query.get("jql") ?? ""),
    issue: (idOrKey) => find(idOrKey),
    statusOf: (idOrKey) => {
      const issue = find(idOrKey);
      return issue === undefined ? undefined : statusName(issue);
    },
    setStatus: (idOrKey, status) => {
      const issue = find(idOrKey);
      if (issue === undefined) throw new Error(`fake jira: no issue ${idOrKey}`);
      issue.fields.status = { ...(issue.fields.status as object), name: status };
      issue.fields.updated = jiraTimestamp(now());
    },
    addIssue: (issue) => {
      issues.push(structuredClone(issue));
    },
    comments: (idOrKey) => [...(comments.get(find(idOrKey)?.id ?? idOrKey) ?? [])],
    inject: (fault) => {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    rateLimit: (retryAfterSeconds, times = 1) => {
      faults.push({
        status: 429,
        headers: {
          "retry-after": String(retryAfterSeconds),
          "ratelimit-reason": "jira-quota-global-based",
          "x-ratelimit-remaining": "0",
        },
        body: { errorMessages: ["Rate limit exceeded."], errors: {} },
        remaining: times,
      });
    },
    lockOut: (value = true) => {
      locked = value;
    },
    stop: () => server.stop(true),
  };
}

/** A minimal valid issue for scenario tests: summary, status, and plain-text description as ADF. */
export function jiraIssue(spec: {
  id: string;
  key: string;
  summary: string;
  status: string;
  description?: string;
  priority?: string;
  labels?: string[];
  created?: string;
}): JiraIssueJson {
  return {
    id: spec.id,
    key: spec.key,
    fields: {
      summary: spec.summary,
      status: { name: spec.status },
      priority: spec.priority === undefined ? null : { id: spec.priority },
      labels: spec.labels ?? [],
      assignee: null,
      issuetype: { name: "Task" },
      parent: null,
      issuelinks: [],
      description:
        spec.description === undefined
          ? null
          : {
              type: "doc",
              version: 1,
              content: [{ type: "paragraph", content: [{ type: "text", text: spec.description }] }],
            },
      created: spec.created ?? "2026-03-01T10:00:00.000+0000",
      updated: spec.created ?? "2026-03-01T10:00:00.000+0000",
    },
  };
}

function projectOf(issue: JiraIssueJson): string {
  const project = issue.fields.project as { key?: string } | undefined;
  if (project?.key) return project.key;
  const dash = issue.key.lastIndexOf("-");
  return dash === -1 ? issue.key : issue.key.slice(0, dash);
}

/** Jira's timestamp format: `2026-03-01T10:00:00.000+0000`. */
function jiraTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

function isValidAdf(doc: unknown): boolean {
  if (doc === null || typeof doc !== "object") return false;
  const { type, version, content } = doc as { type?: unknown; version?: unknown; content?: unknown };
  if (type !== "doc" || version !== 1 || !Array.isArray(content)) return false;
  // Jira rejects empty text nodes and content that is not an array.
  const walk = (node: unknown): boolean => {
    if (node === null || typeof node !== "object") return false;
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (typeof n.type !== "string") return false;
    if (n.type === "text") return typeof n.text === "string" && n.text !== "";
    if (n.content === undefined) return true;
    return Array.isArray(n.content) && n.content.every(walk);
  };
  return content.every(walk);
}

function encodeToken(value: { jql: string; offset: number }): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeToken(token: string): { jql: string; offset: number } | null {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      jql?: unknown;
      offset?: unknown;
    };
    return typeof value.jql === "string" && typeof value.offset === "number"
      ? { jql: value.jql, offset: value.offset }
      : null;
  } catch {
    return null;
  }
}

function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
  });
}

function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain;charset=UTF-8", ...headers } });
}

function errors(status: number, message: string): Response {
  return json({ errorMessages: [message], errors: {} }, status);
}
