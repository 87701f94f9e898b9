// Network-free checks of a GitHub tracker configuration for `sortie validate`: the project
// format (an error) and state-label mistakes that would silently misbehave (warnings).
import type { Diagnostic, TrackerConfig } from "../../config/types.ts";
import type { TrackerEnv } from "../registry.ts";

const WHITESPACE = /[ \t\r\n]/;

export function validateGitHubConfig(config: TrackerConfig, env: TrackerEnv = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const error = (check: string, message: string) => diagnostics.push({ severity: "error", check, message });
  const warning = (check: string, message: string) =>
    diagnostics.push({ severity: "warning", check, message });

  // An empty project is the generic `tracker.project` preflight error already.
  if (config.project !== "") {
    const parts = config.project.split("/");
    if (parts.length !== 2 || parts.some((part) => part === "")) {
      error(
        "tracker.project.format",
        'tracker.project must be in owner/repo format (e.g. "sortie-ai/sortie")',
      );
    } else if (parts.some((part) => WHITESPACE.test(part))) {
      error("tracker.project.format", "tracker.project owner and repo must not contain whitespace");
    }
  }

  if (config.apiKey.isEmpty) {
    const token = env.GITHUB_TOKEN;
    if (token !== undefined && token !== "") {
      warning(
        "tracker.api_key.github_token_hint",
        "tracker.api_key is empty but GITHUB_TOKEN environment variable is set; consider using api_key: $GITHUB_TOKEN",
      );
    } else {
      warning(
        "tracker.api_key.github_token_missing",
        "tracker.api_key is empty and GITHUB_TOKEN environment variable is not set",
      );
    }
  }

  for (const [field, states] of [
    ["active_states", config.activeStates],
    ["terminal_states", config.terminalStates],
  ] as const) {
    states.forEach((state, index) => {
      if (state.trim() === "") {
        warning(
          `tracker.${field}.empty_element`,
          `tracker.${field}[${index}]: empty state label will never match any issue`,
        );
      }
    });
  }

  const active = labelSet(config.activeStates);
  const terminal = labelSet(config.terminalStates);
  for (const label of [...active].filter((state) => terminal.has(state)).sort()) {
    warning(
      "tracker.states.overlap",
      `tracker.active_states and tracker.terminal_states overlap on "${label}"; an issue in state "${label}" would match both sets`,
    );
  }

  const handoff = normalized(config.handoffState);
  if (handoff !== "") {
    if (active.has(handoff)) {
      warning(
        "tracker.handoff_state.collision",
        `tracker.handoff_state "${config.handoffState}" must not appear in active_states (would cause immediate re-dispatch after handoff)`,
      );
    }
    if (terminal.has(handoff)) {
      warning(
        "tracker.handoff_state.collision",
        `tracker.handoff_state "${config.handoffState}" must not appear in terminal_states (handoff is not terminal)`,
      );
    }
  }

  const inProgress = normalized(config.inProgressState);
  if (inProgress !== "") {
    if (terminal.has(inProgress)) {
      warning(
        "tracker.in_progress_state.collision",
        `tracker.in_progress_state "${config.inProgressState}" must not appear in terminal_states`,
      );
    }
    if (handoff !== "" && inProgress === handoff) {
      warning(
        "tracker.in_progress_state.collision",
        `tracker.in_progress_state must not collide with tracker.handoff_state ("${config.handoffState}")`,
      );
    }
  }
  return diagnostics;
}

/** Trimmed, lower-cased, non-empty labels. */
function labelSet(states: readonly string[]): Set<string> {
  return new Set(states.map((state) => state.trim().toLowerCase()).filter((state) => state !== ""));
}

function normalized(state: string | null): string {
  return (state ?? "").trim().toLowerCase();
}
