#!/bin/bash
# Runs a harness command with --out DIR, KTAP into DIR.ktap; prints only the
# failures and comments when it fails, else the KTAP totals line.
#
#   probes/bench/repeat_quiet.sh DIR HARNESS-COMMAND...
set -u
out=$1
shift
mkdir -p "$(dirname "$out")"
if ! "$@" --out "$out" > "$out.ktap"; then
	grep -E '^not ok|^# ' "$out.ktap"
	exit 1
fi
tail -1 "$out.ktap"
