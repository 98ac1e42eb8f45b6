#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-style entry point of mcprobe, the Linux multicast socket
# conformance suite: runs every probe on the running kernel (each scenario
# in its own network namespace, never the caller's) and judges the
# observations against the expectations for this kernel's release.
#
# Output is KTAP (one test per check id, skips with reasons, a Totals line);
# exit codes are kselftest's: 0 pass, 1 fail, 4 skip (nothing could run:
# not root, no python3 modules, no suite). Environment:
#   MCPROBE_DIR    the suite (default: ./suite next to this script, else the
#                  repository this script sits in: ci/kselftest/mcprobe/)
#   MCPROBE_AREAS  comma-separated areas to run (default all)
#   MCPROBE_OUT    directory for JUnit/JSON/markdown reports (default a
#                  fresh directory under ${TMPDIR:-/tmp})
ksft_skip=4

here=$(cd "$(dirname "$0")" && pwd)
if [ -n "$MCPROBE_DIR" ]; then
	root=$MCPROBE_DIR
elif [ -d "$here/suite/harness" ]; then
	root=$here/suite
else
	root=$(cd "$here/../../.." && pwd)
fi

skip() {
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit $ksft_skip
}

[ -d "$root/harness" ] && [ -d "$root/expected" ] || skip "mcprobe suite not found at $root (set MCPROBE_DIR)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, sysctls inside them)"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || skip "no python3"
"$py" -c 'import pytest, yaml' 2>/dev/null || skip "python3 needs pytest and yaml (Debian: python3-pytest python3-yaml)"

# probes/bin comes prebuilt in an installed tree; in a checkout, build it
if ! ls "$root/probes/bin/"* >/dev/null 2>&1; then
	command -v make >/dev/null 2>&1 && [ -f "$root/Makefile" ] || skip "no probe binaries in $root/probes/bin and nothing to build them"
	make -s -C "$root" probes >&2 || { echo "# mcprobe: building the probes failed"; exit 1; }
fi

out=${MCPROBE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mcprobe.XXXXXX")}
cd "$root" || exit 1
"$py" "$root/mcprobe" --out "$out" ${MCPROBE_AREAS:+--areas "$MCPROBE_AREAS"}
rc=$?
echo "# mcprobe: reports in $out (results.junit.xml, results.json, summary.md)"
case $rc in
0|1|4) exit $rc ;;
*) exit 1 ;;
esac
