// Binds the HTTP app on Bun.serve. Binding happens as early as possible so probes get answers
// (503 while starting) instead of refused connections; stopping lets in-flight requests finish.
import type { Logger } from "@logtape/logtape";
import { errorMessage } from "../domain/errors.ts";

export interface ListenerApp {
  fetch: (request: Request) => Response | Promise<Response>;
  /** Called first on stop so long-lived event streams do not hold the listener open. */
  closeStreams?: (reason: "draining" | "stop") => void;
}

export interface StartHttpServerOptions {
  app: ListenerApp;
  /** IP literal (v4 or v6). */
  host: string;
  /** 0 binds an ephemeral port (tests). */
  port: number;
  /** The port came from --port or server.port: a conflict is fatal instead of a warning. */
  explicitPort: boolean;
  logger: Logger;
  /** Seconds a connection may sit idle. */
  idleTimeout?: number;
}

export interface HttpServerHandle {
  /** host:port as bound, IPv6 in brackets. */
  readonly addr: string;
  readonly port: number;
  /** Refuses new connections, lets in-flight requests finish for up to graceMs, then cuts the rest. */
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_STOP_GRACE_MS = 2000;

export function formatAddr(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts the server. An implicit port that is busy logs a WARN and yields null (sortie runs without
 * HTTP); with an explicit port the bind error is thrown for the caller to report and exit.
 */
export function startHttpServer(options: StartHttpServerOptions): HttpServerHandle | null {
  const { app, host, logger } = options;
  const wanted = formatAddr(host, options.port);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: host,
      port: options.port,
      idleTimeout: options.idleTimeout ?? 60,
      reusePort: false,
      fetch: (request) => app.fetch(request),
    });
  } catch (error) {
    if (options.explicitPort) throw error;
    logger.warn("http server listen failed; running without HTTP server", {
      addr: wanted,
      error: errorMessage(error),
    });
    return null;
  }
  const port = server.port ?? options.port;
  const addr = formatAddr(host, port);
  logger.info("http server listening", { addr });

  let stopping: Promise<void> | null = null;
  return {
    addr,
    port,
    stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      stopping ??= (async () => {
        app.closeStreams?.("stop");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const graceful = server.stop(false).then(() => true);
        const expired = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        });
        const finished = await Promise.race([graceful, expired]);
        clearTimeout(timer);
        if (!finished) await server.stop(true);
      })();
      return stopping;
    },
  };
}
