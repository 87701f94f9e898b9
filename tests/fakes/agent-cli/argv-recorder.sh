#!/bin/sh
# Wraps an agent CLI: appends its argv (NUL-separated, one record per line) to $ARGV_LOG, then
# execs it, so a test can see exactly how the adapter invoked the real binary.
printf '%s\0' "$@" >> "${ARGV_LOG:?}"
printf '\n' >> "$ARGV_LOG"
exec "$@"
