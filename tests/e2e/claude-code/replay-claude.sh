#!/bin/sh
# Stands in for `claude` by replaying a recording of the real CLI: the N-th call of this script
# prints the lines of the N-th recorded invocation in $REPLAY_TRANSCRIPT (each starts with a
# system/init line). A recorded invocation without a result line was killed mid-turn, so its
# replay waits to be killed as well. Calls are counted in $REPLAY_DIR/calls.
set -e
echo call >>"${REPLAY_DIR:?}/calls"
n=$(wc -l <"$REPLAY_DIR/calls")
lines="$REPLAY_DIR/invocation-$n.jsonl"
awk -v n="$n" '/^\{"type":"system","subtype":"init"/ { i++ } i == n' "${REPLAY_TRANSCRIPT:?}" >"$lines"
cat "$lines"
grep -q '"type":"result"' "$lines" || exec sleep 600
