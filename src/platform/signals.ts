// SIGINT/SIGTERM handling. Installed before anything else runs: as PID 1 in a container a signal
// without a handler is ignored by the kernel, so `kubectl delete pod` would wait for SIGKILL.

export type ShutdownSignal = "SIGINT" | "SIGTERM";
export type SignalHandler = (signal: ShutdownSignal, count: number) => void;

/** slog-compatible names the Go original logs (`signal=terminated`, `signal=interrupt`). */
export function signalLogName(signal: ShutdownSignal): string {
  return signal === "SIGTERM" ? "terminated" : "interrupt";
}

export class SignalHub {
  #handler: SignalHandler;
  #count = 0;
  #installed = false;

  /** `fallback` runs for signals that arrive before a command registers its own handler. */
  constructor(fallback: SignalHandler) {
    this.#handler = fallback;
  }

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    const on = (signal: ShutdownSignal) => () => {
      this.#count++;
      this.#handler(signal, this.#count);
    };
    process.on("SIGINT", on("SIGINT"));
    process.on("SIGTERM", on("SIGTERM"));
  }

  /** Replaces the handler; the listeners stay installed for the life of the process. */
  handle(handler: SignalHandler): void {
    this.#handler = handler;
  }
}
