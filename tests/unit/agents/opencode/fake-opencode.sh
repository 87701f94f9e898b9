#!/bin/sh
# A stand-in for `opencode run --format json` that keeps sessions like the real CLI: a run
# without `--session` creates `ses_<n>`, `--session <id>` fails for an id it never created.
# Every call appends its argv (NUL-separated, one record per line) to $FAKE_OPENCODE_DIR/argv.log
# and dumps its environment to env.dump. The mode comes from $FAKE_OPENCODE_DIR/mode (default
# `session`):
#   session   one step with usage 100/10 tokens, cache 5 read / 1 write, cost 0.01
#   nousage   a step without usage (older CLIs); `export` prints $FAKE_OPENCODE_DIR/export.json
#   replay    print $FAKE_OPENCODE_DIR/stdout, exit with $FAKE_OPENCODE_DIR/exit (default 0)
#   silent    print nothing and wait to be killed
#   mismatch  one envelope of another session, then wait to be killed
#   hang      one envelope, then wait to be killed, ignoring SIGTERM
dir="${FAKE_OPENCODE_DIR:?}"
printf '%s\0' "$@" >> "$dir/argv.log"
printf '\n' >> "$dir/argv.log"
env -0 > "$dir/env.dump"
mode=session
[ -f "$dir/mode" ] && mode="$(cat "$dir/mode")"

if [ "$1" = export ]; then
  [ -f "$dir/export.json" ] || exit 1
  echo "Exporting session: $3" >&2
  cat "$dir/export.json"
  exit 0
fi

session=""
while [ $# -gt 0 ]; do
  case "$1" in
    --session) session="$2"; shift ;;
    --) break ;;
  esac
  shift
done

case "$mode" in
  replay)
    cat "$dir/stdout"
    exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
    ;;
  silent)
    sleep 1000
    exit 0
    ;;
esac

if [ -n "$session" ] && [ ! -f "$dir/session-$session" ]; then
  printf '\033[91m\033[1mError: \033[0mSession not found\n' >&2
  exit 1
fi
if [ -z "$session" ]; then
  n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$dir/count"
  session="ses_$n"
fi
touch "$dir/session-$session"

case "$mode" in
  mismatch)
    echo "{\"type\":\"step_start\",\"timestamp\":1,\"sessionID\":\"ses_intruder\",\"part\":{}}"
    sleep 1000
    exit 0
    ;;
  hang)
    trap '' TERM
    echo "{\"type\":\"step_start\",\"timestamp\":1,\"sessionID\":\"$session\",\"part\":{}}"
    sleep 1000
    exit 0
    ;;
esac

echo "{\"type\":\"step_start\",\"timestamp\":1,\"sessionID\":\"$session\",\"part\":{\"type\":\"step-start\"}}"
echo "{\"type\":\"text\",\"timestamp\":2,\"sessionID\":\"$session\",\"part\":{\"type\":\"text\",\"text\":\"done\"}}"
if [ "$mode" = nousage ]; then
  echo "{\"type\":\"step_finish\",\"timestamp\":3,\"sessionID\":\"$session\",\"part\":{\"reason\":\"stop\"}}"
  exit 0
fi
echo "{\"type\":\"step_finish\",\"timestamp\":3,\"sessionID\":\"$session\",\"part\":{\"reason\":\"stop\",\"tokens\":{\"total\":115,\"input\":100,\"output\":10,\"reasoning\":0,\"cache\":{\"read\":5,\"write\":1}},\"cost\":0.01}}"
