import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SortieError } from "../../../../src/domain/errors.ts";
import { livingGroupMembers, livingProcessesMatching } from "../../../fakes/agent-cli/process-scan.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";
import {
  clientRequests,
  makeAdapter,
  runTurn,
  startParams,
  useHarness,
} from "../../../fakes/codex-app-server/harness.ts";
import { FAKE_APP_SERVER, fixtureLines, handshakeReplies } from "../../../fakes/codex-app-server/scenario.ts";

const h = useHarness();

async function startError(promise: Promise<unknown>): Promise<SortieError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SortieError) return err;
    throw err;
  }
  throw new Error("expected startSession to fail");
}

/** Start-up failures must not leave a server behind. */
function fakeServersAlive(): number {
  return livingProcessesMatching(FAKE_APP_SERVER).length;
}

describe("codex handshake", () => {
  test("initializes, reads the account and starts a thread in the workspace with the default policies", async () => {
    const { adapter } = makeAdapter(h, { replies: handshakeReplies() });
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    expect(session.id).toBe("thread-abc-123");
    expect(Number(session.agentPid)).toBeGreaterThan(1);

    const requests = clientRequests(h);
    expect(requests.map((r) => [r.method, r.id])).toEqual([
      ["initialize", 1],
      ["initialized", undefined],
      ["account/read", 2],
      ["thread/start", 3],
    ]);
    expect(requests[0]?.params).toEqual({
      clientInfo: { name: "sortie_orchestrator", title: "Sortie Orchestrator", version: "0.1.0" },
      capabilities: { experimentalApi: true },
    });
    expect(requests[1]?.params).toEqual({});
    expect(requests[2]?.params).toEqual({ refreshToken: false });
    // No tool registry: no dynamicTools at all.
    expect(requests[3]?.params).toEqual({
      cwd: h.workspace,
      approvalPolicy: "never",
      sandbox: "workspace-write",
    });
  });

  test("thread/start carries model, personality and the configured sandbox and policy", async () => {
    const { adapter } = makeAdapter(
      h,
      { replies: handshakeReplies() },
      {
        codexOptions: {
          model: "gpt-test",
          personality: "pragmatic",
          approval_policy: "on-request",
          thread_sandbox: "dangerFullAccess",
        },
      },
    );
    await adapter.startSession(startParams(h), new AbortController().signal);
    expect(clientRequests(h)[3]?.params).toEqual({
      cwd: h.workspace,
      approvalPolicy: "on-request",
      sandbox: "danger-full-access",
      model: "gpt-test",
      personality: "pragmatic",
    });
  });

  test("logs in with CODEX_API_KEY when no account is set up, using the ids of the recorded flow", async () => {
    const login = fixtureLines("account_login_flow.jsonl");
    const { adapter } = makeAdapter(
      h,
      {
        replies: {
          ...handshakeReplies(),
          "account/read": [[login[0] ?? ""]],
          "account/login/start": [login.slice(1)],
          "turn/start": [fixtureLines("turn_completed_success.jsonl")],
        },
      },
      { env: { CODEX_API_KEY: "sk-test-key" } },
    );
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    const { outcome } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");

    const requests = clientRequests(h);
    expect(requests.map((r) => [r.method, r.id])).toEqual([
      ["initialize", 1],
      ["initialized", undefined],
      ["account/read", 2],
      ["account/login/start", 3],
      ["thread/start", 4],
      ["turn/start", 5],
    ]);
    expect(requests[3]?.params).toEqual({ type: "apiKey", apiKey: "sk-test-key" });
  });

  test("does not log in when the account is null but no CODEX_API_KEY is set (cached credentials)", async () => {
    const login = fixtureLines("account_login_flow.jsonl");
    const { adapter } = makeAdapter(h, {
      replies: { ...handshakeReplies(), "account/read": [[login[0] ?? ""]] },
    });
    await adapter.startSession(startParams(h), new AbortController().signal);
    expect(clientRequests(h).map((r) => r.method)).not.toContain("account/login/start");
  });

  test("does not log in when the model provider needs no OpenAI account", async () => {
    const { adapter } = makeAdapter(
      h,
      {
        replies: {
          ...handshakeReplies(),
          "account/read": [['{"id":2,"result":{"account":null,"userId":null,"requiresOpenaiAuth":false}}']],
        },
      },
      { env: { CODEX_API_KEY: "sk-test-key" } },
    );
    await adapter.startSession(startParams(h), new AbortController().signal);
    expect(clientRequests(h).map((r) => r.method)).not.toContain("account/login/start");
  });

  test("a rejected login is response_error 'login failed: …' and the server is killed", async () => {
    const { adapter } = makeAdapter(
      h,
      {
        replies: {
          ...handshakeReplies(),
          "account/read": [['{"id":2,"result":{"account":null}}']],
          "account/login/start": [['{"id":3,"error":{"code":-32600,"message":"invalid api key format"}}']],
        },
      },
      { env: { CODEX_API_KEY: "bad" } },
    );
    const err = await startError(adapter.startSession(startParams(h), new AbortController().signal));
    expect(err.kind).toBe("response_error");
    expect(err.message).toBe("login failed: invalid api key format");
    expect(clientRequests(h).map((r) => r.method)).not.toContain("thread/start");
    expect(fakeServersAlive()).toBe(0);
  });

  test("an unsuccessful login completion is response_error 'authentication failed'", async () => {
    const { adapter } = makeAdapter(
      h,
      {
        replies: {
          ...handshakeReplies(),
          "account/read": [['{"id":2,"result":{"account":null}}']],
          "account/login/start": [
            [
              '{"id":3,"result":{"type":"apiKey"}}',
              '{"method":"account/login/completed","params":{"success":false,"error":"key revoked"}}',
            ],
          ],
        },
      },
      { env: { CODEX_API_KEY: "sk-revoked" } },
    );
    const err = await startError(adapter.startSession(startParams(h), new AbortController().signal));
    expect(err.kind).toBe("response_error");
    expect(err.message).toBe("authentication failed: key revoked");
  });

  test("a login completion that arrives before the login answer still counts", async () => {
    const { adapter } = makeAdapter(
      h,
      {
        replies: {
          ...handshakeReplies(),
          "account/read": [['{"id":2,"result":{"account":null}}']],
          "account/login/start": [
            [
              '{"method":"account/login/completed","params":{"success":true}}',
              '{"id":3,"result":{"type":"apiKey"}}',
            ],
          ],
        },
      },
      { env: { CODEX_API_KEY: "sk-ok" } },
    );
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    expect(session.id).toBe("thread-abc-123");
  });

  test("an initialize error is response_error 'handshake failed: …' and no process is left", async () => {
    const { adapter } = makeAdapter(h, {
      replies: { initialize: [['{"id":1,"error":{"code":-32603,"message":"boom"}}']] },
    });
    const err = await startError(adapter.startSession(startParams(h), new AbortController().signal));
    expect(err.kind).toBe("response_error");
    expect(err.message).toBe("handshake failed: boom");
    expect(fakeServersAlive()).toBe(0);
  });

  test("a server that never answers is response_timeout after read_timeout_ms, and it is killed", async () => {
    const { adapter } = makeAdapter(
      h,
      { replies: { initialize: [[{ $hang: true }]] } },
      { readTimeoutMs: 300 },
    );
    const params = startParams(h);
    const err = await startError(
      adapter.startSession(
        { ...params, agentConfig: { ...params.agentConfig, readTimeoutMs: 300 } },
        new AbortController().signal,
      ),
    );
    expect(err.kind).toBe("response_timeout");
    expect(err.message).toBe("handshake failed: initialize: no response within 300 ms");
    expect(fakeServersAlive()).toBe(0);
  });

  test("a server that exits during start-up is port_exit with its last stderr lines and the temp-dir hint", async () => {
    const { adapter } = makeAdapter(h, {
      startup: [
        {
          $stderr:
            'Error: Refusing to create helper binaries under temporary dir "/tmp" (codex_home: AbsolutePathBuf("/tmp/x"))',
        },
        { $sleep: 50 },
        { $exit: 1 },
      ],
      replies: { initialize: [[{ $hang: true }]] },
    });
    const err = await startError(adapter.startSession(startParams(h), new AbortController().signal));
    expect(err.kind).toBe("port_exit");
    expect(err.message).toBe("codex app-server exited during start-up (exit code 1)");
    const text = err.toString();
    expect(text).toContain("Refusing to create helper binaries under temporary dir");
    expect(text).toContain("set CODEX_HOME (or HOME) to a directory outside /tmp");
  });

  test("an aborted start rejects with the abort reason and kills the server", async () => {
    const { adapter } = makeAdapter(h, { replies: { initialize: [[{ $hang: true }]] } });
    const ctl = new AbortController();
    const starting = adapter.startSession(startParams(h), ctl.signal);
    await waitFor(() => clientRequests(h).length > 0, { what: "initialize to be sent" });
    const reason = new Error("shutting down");
    ctl.abort(reason);
    await expect(starting).rejects.toBe(reason);
    expect(fakeServersAlive()).toBe(0);
  });

  test("a missing binary is agent_not_found naming the command", async () => {
    const { adapter } = makeAdapter(h, { replies: {} });
    const params = startParams(h);
    const err = await startError(
      adapter.startSession(
        { ...params, agentConfig: { ...params.agentConfig, command: "codex-does-not-exist app-server" } },
        new AbortController().signal,
      ),
    );
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe('agent command "codex-does-not-exist" not found');
  });

  test("a workspace that does not exist is invalid_workspace_cwd", async () => {
    const { adapter } = makeAdapter(h, { replies: {} });
    const err = await startError(
      adapter.startSession(
        startParams(h, { workspacePath: join(h.dir, "missing") }),
        new AbortController().signal,
      ),
    );
    expect(err.kind).toBe("invalid_workspace_cwd");
  });

  test("stopping the session ends the server's process group", async () => {
    const { adapter } = makeAdapter(h, { replies: handshakeReplies() });
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    const pid = Number(session.agentPid);
    expect(livingGroupMembers(pid).length).toBeGreaterThan(0);
    await adapter.stopSession(session, AbortSignal.timeout(10_000));
    await waitFor(() => livingGroupMembers(pid).length === 0, { what: "the app-server group to exit" });
    // Idempotent.
    await adapter.stopSession(session, AbortSignal.timeout(10_000));
  });

  test("a server that ignores SIGTERM is SIGKILLed when the stop deadline passes", async () => {
    const { adapter } = makeAdapter(h, { replies: handshakeReplies(), ignoreSigterm: true });
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    const pid = Number(session.agentPid);
    await adapter.stopSession(session, AbortSignal.timeout(300));
    await waitFor(() => livingGroupMembers(pid).length === 0, { what: "the stubborn group to die" });
  });
});
