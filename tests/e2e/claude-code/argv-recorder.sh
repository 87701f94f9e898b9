#!/bin/sh
# Wraps an agent CLI: writes its argv (NUL-separated) to a new file in $ARGV_DIR, named so that the
# files sort in invocation order, then execs it. One file per call keeps multi-line prompts whole.
set -e
printf '%s\0' "$@" >"${ARGV_DIR:?}/$(date +%s%N)-$$.argv"
exec "$@"
