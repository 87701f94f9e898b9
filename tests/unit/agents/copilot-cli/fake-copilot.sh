#!/bin/sh
# A stand-in for `copilot -p … --output-format json` that keeps sessions like the real CLI:
# a fresh run creates `sess-<n>`, `--resume <id>` fails for an id it never created, `--continue`
# picks the latest session, and each session's premium-request and API-time counters continue
# across runs (the CLI's accounting is per session). Every run appends its argv (NUL-separated,
# one record per line) to $FAKE_COPILOT_DIR/argv.log and dumps its environment to env.dump.
#   FAKE_COPILOT_CANARY=fail   `--version` fails
#   FAKE_COPILOT_MODE=session  (default) one scripted turn ending in a result line
#   FAKE_COPILOT_MODE=noid     a turn that answers but prints no result line
#   FAKE_COPILOT_MODE=replay   print $FAKE_COPILOT_STDOUT and exit $FAKE_COPILOT_EXIT
#   FAKE_COPILOT_MODE=hang     start a turn, then wait to be killed
# A file $FAKE_COPILOT_DIR/mode overrides FAKE_COPILOT_MODE (the environment is fixed per session).
dir="${FAKE_COPILOT_DIR:?}"
if [ "$1" = "--version" ]; then
  [ "${FAKE_COPILOT_CANARY:-}" = fail ] && exit 3
  echo "GitHub Copilot CLI 0.0.0-fake."
  exit 0
fi
printf '%s\0' "$@" >> "$dir/argv.log"
printf '\n' >> "$dir/argv.log"
env -0 > "$dir/env.dump"

mode="${FAKE_COPILOT_MODE:-session}"
[ -f "$dir/mode" ] && mode="$(cat "$dir/mode")"
if [ "$mode" = replay ]; then
  cat "${FAKE_COPILOT_STDOUT:?}"
  exit "${FAKE_COPILOT_EXIT:-0}"
fi

resume=""
continue=""
while [ $# -gt 0 ]; do
  case "$1" in
    --resume) resume="$2"; shift ;;
    --continue) continue=1 ;;
  esac
  shift
done
if [ -n "$resume" ] && [ ! -f "$dir/session-$resume" ]; then
  echo "Error: No session, task, or name matched '$resume'." >&2
  echo "To start a new session with ID:   copilot --session-id=<valid-uuid>" >&2
  exit 1
fi
sid="$resume"
if [ -z "$sid" ] && [ -n "$continue" ] && [ -f "$dir/latest" ]; then sid="$(cat "$dir/latest")"; fi
if [ -z "$sid" ]; then
  n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$dir/count"
  sid="sess-$n"
fi
echo "$sid" > "$dir/latest"
premium=$(( $(cat "$dir/session-$sid" 2>/dev/null || echo 0) + 2 ))
echo "$premium" > "$dir/session-$sid"

echo '{"type":"session.tools_updated","data":{"model":"fake-model"},"ephemeral":true,"id":"e0"}'
echo '{"type":"assistant.turn_start","data":{"turnId":"0"},"id":"e1"}'
if [ "$mode" = hang ]; then
  sleep 1000
fi
echo '{"type":"assistant.message","data":{"content":"working on it","toolRequests":[],"model":"fake-model"},"id":"e2"}'
echo '{"type":"assistant.turn_end","data":{"turnId":"0"},"id":"e3"}'
[ "$mode" = noid ] && exit 0
echo "{\"type\":\"result\",\"timestamp\":\"t\",\"sessionId\":\"$sid\",\"exitCode\":0,\"usage\":{\"premiumRequests\":$premium,\"totalApiDurationMs\":$(( premium * 50 )),\"sessionDurationMs\":1}}"
