#!/usr/bin/env bash
# Installs the pinned coding-agent CLIs into a cache folder outside the app's own dependencies,
# so the real-CLI integration tests can drive them. Idempotent: a CLI whose pinned version is
# already installed (and runs) is skipped. Prints the bin directory on the last line of stdout.
#
# usage: scripts/install-agent-clis.sh [claude] [codex] [opencode] [copilot] [all]
#        (no argument = claude)
# env:   SORTIE_AGENT_CLI_CACHE  cache folder (default: $HOME/.cache/sortie-agent-clis)
set -euo pipefail

CACHE_DIR="${SORTIE_AGENT_CLI_CACHE:-${HOME:-/root}/.cache/sortie-agent-clis}"

# name -> "npm package|pinned version|binary name"
pin_for() {
  case "$1" in
    claude) echo "@anthropic-ai/claude-code|2.1.332|claude" ;;
    codex) echo "@openai/codex|0.171.0|codex" ;;
    opencode) echo "opencode-ai|1.18.33|opencode" ;;
    copilot) echo "@github/copilot|1.0.102|copilot" ;;
    *) return 1 ;;
  esac
}

log() { echo "install-agent-clis: $*" >&2; }

installed_version() {
  local pkg_json="$CACHE_DIR/node_modules/$1/package.json"
  [[ -f "$pkg_json" ]] || return 0
  node -e 'process.stdout.write(String(require(process.argv[1]).version ?? ""))' "$pkg_json"
}

# The binary must really start: packages that ship their native binary in an optional platform
# package and link it from a postinstall script leave a stub behind when scripts were skipped.
binary_runs() {
  local bin="$CACHE_DIR/node_modules/.bin/$1"
  [[ -x "$bin" ]] || return 1
  timeout 60 "$bin" --version >/dev/null 2>&1 </dev/null
}

# Runs the package's own postinstall (what npm does when scripts are allowed).
run_postinstall() {
  local dir="$CACHE_DIR/node_modules/$1"
  local script
  script="$(node -e 'process.stdout.write(require(process.argv[1]).scripts?.postinstall ?? "")' "$dir/package.json")"
  [[ -n "$script" ]] || return 0
  log "running postinstall of $1: $script"
  (cd "$dir" && sh -c "$script") >&2
}

install_one() {
  local name="$1" spec pkg version bin
  spec="$(pin_for "$name")" || {
    log "unknown CLI \"$name\" (known: claude codex opencode copilot all)"
    exit 2
  }
  IFS='|' read -r pkg version bin <<<"$spec"

  if [[ "$(installed_version "$pkg")" == "$version" ]] && binary_runs "$bin"; then
    log "$pkg@$version already installed"
    return 0
  fi

  log "installing $pkg@$version into $CACHE_DIR"
  mkdir -p "$CACHE_DIR"
  [[ -f "$CACHE_DIR/package.json" ]] || echo '{"name":"sortie-agent-clis","private":true}' >"$CACHE_DIR/package.json"
  # --foreground-scripts shows postinstall output; optional deps carry the native binaries.
  npm install --prefix "$CACHE_DIR" --no-audit --no-fund --include=optional --foreground-scripts \
    "$pkg@$version" >&2

  if ! binary_runs "$bin"; then
    # npm may have skipped install scripts (policy or --ignore-scripts in the user's npmrc).
    run_postinstall "$pkg"
  fi
  if ! binary_runs "$bin"; then
    log "$bin was installed but does not run: $CACHE_DIR/node_modules/.bin/$bin --version failed"
    exit 1
  fi
  log "$pkg@$version ready: $("$CACHE_DIR/node_modules/.bin/$bin" --version 2>/dev/null </dev/null | head -1)"
}

# Parallel runs (CI jobs, test suites) would each rewrite the cache's package.json and node_modules
# and undo one another's installs: one run at a time.
mkdir -p "$CACHE_DIR"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.install.lock"
  flock 9
fi

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(claude)
if [[ " ${names[*]} " == *" all "* ]]; then names=(claude codex opencode copilot); fi

for n in "${names[@]}"; do install_one "$n"; done

echo "$CACHE_DIR/node_modules/.bin"
