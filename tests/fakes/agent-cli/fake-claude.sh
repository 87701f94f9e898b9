#!/bin/sh
# A stand-in for `claude -p … --output-format stream-json` that remembers sessions like the real
# CLI: `--session-id <id>` creates one, `--resume <id>` fails for an id it never created. It
# appends "<mode> <id>" to $FAKE_CLAUDE_DIR/calls.log and answers with one scripted turn whose
# usage is 100 input / 10 output tokens. FAKE_CLAUDE_MODE=hang makes it wait to be killed.
dir="${FAKE_CLAUDE_DIR:?}"
sid=""
mode=""
while [ $# -gt 0 ]; do
  case "$1" in
    --session-id) sid="$2"; mode=new; shift ;;
    --resume) sid="$2"; mode=resume; shift ;;
  esac
  shift
done
echo "$mode $sid" >> "$dir/calls.log"
if [ "$mode" = resume ] && [ ! -f "$dir/session-$sid" ]; then
  echo "{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,\"num_turns\":0,\"session_id\":\"$sid\",\"total_cost_usd\":0,\"usage\":{\"input_tokens\":0,\"output_tokens\":0},\"errors\":[\"No conversation found with session ID: $sid\"]}"
  echo "No conversation found with session ID: $sid" >&2
  exit 1
fi
touch "$dir/session-$sid"
echo "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"$sid\"}"
if [ "${FAKE_CLAUDE_MODE:-}" = hang ]; then
  echo '{"type":"assistant","message":{"id":"m0","model":"fake","content":[{"type":"text","text":"thinking"}],"usage":{"input_tokens":7,"output_tokens":1}}}'
  sleep 1000
fi
echo '{"type":"assistant","message":{"id":"m1","model":"fake","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":100,"output_tokens":1}}}'
echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\",\"session_id\":\"$sid\",\"total_cost_usd\":0.5,\"duration_api_ms\":30,\"usage\":{\"input_tokens\":100,\"output_tokens\":10,\"cache_read_input_tokens\":5,\"cache_creation_input_tokens\":2}}"
