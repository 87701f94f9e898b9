#!/bin/sh
# An agent that will not go quietly: it ignores SIGTERM, starts grandchildren that ignore it too
# (one of them in the background holding stdout), records their pids, prints an init line and
# then hangs. Only SIGKILL to the whole process group gets rid of it.
trap '' TERM
pidfile="${STUBBORN_PIDFILE:-/dev/null}"
sleep 1000 &
echo "$!" >> "$pidfile"
(sleep 1000; echo late) &
echo "$!" >> "$pidfile"
echo "$$" >> "$pidfile"
echo '{"type":"system","subtype":"init","session_id":"stubborn-session"}'
sleep 1000
