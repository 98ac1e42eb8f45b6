#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fuzz/fuzz.sh - the programs behind the fuzz targets of fuzz/fuzz.mk (run from the top
# directory; every fuzzer unshare()s its own netns before the first input).
#
#   fuzz.sh run BINDIR SECONDS JOBS "FUZZ_OPTS" TARGET...
#       every target for SECONDS; working corpus BINDIR/corpus/<t>, started from the
#       committed seeds fuzz/corpus/<t>; JOBS > 1: libFuzzer -fork=JOBS
#   fuzz.sh smoke BINDIR RUNS "FUZZ_OPTS" TARGET...
#       replay the seeds, new inputs up to RUNS runs in all (bounded at 60 s), then the
#       resulting corpus once more through fz_tool: the oracle under ASan+UBSan
#       (detect_leaks=0: its loader keeps the inputs until exit)
#   fuzz.sh repro BINDIR INPUT TARGET CC TARGET...
#       listing of INPUT's calls and BINDIR/repro.c; an empty TARGET is taken from the
#       target named in INPUT's path; exits 0 after a divergence too (the listing is
#       the point)
set -eu

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}

run() {
	[ $# -ge 5 ] || usage
	bindir=$1 secs=$2 jobs=$3 opts=$4
	shift 4
	fork=
	[ "$jobs" = 1 ] || fork=-fork=$jobs
	for t in "$@"; do
		mkdir -p "$bindir/corpus/$t" "$bindir/artifacts/$t"
		echo "== fuzz_$t for ${secs}s"
		# shellcheck disable=SC2086  # option lists are meant to split
		"$bindir/fuzz_$t" $opts -dict="fuzz/dict/$t.dict" -max_total_time="$secs" $fork \
			-artifact_prefix="$bindir/artifacts/$t/" "$bindir/corpus/$t" "fuzz/corpus/$t" || exit 1
	done
}

smoke() {
	[ $# -ge 4 ] || usage
	bindir=$1 runs=$2 opts=$3
	shift 3
	for t in "$@"; do
		rm -rf "$bindir/smoke/$t"
		mkdir -p "$bindir/smoke/$t" "$bindir/artifacts/$t"
		log=$bindir/smoke/$t.log
		echo "== fuzz-smoke $t: replay fuzz/corpus/$t, then new inputs up to $runs runs in all (bounded at 60 s)"
		# shellcheck disable=SC2086
		if ! "$bindir/fuzz_$t" $opts -dict="fuzz/dict/$t.dict" -runs="$runs" -seed=1 -max_total_time=60 \
			-artifact_prefix="$bindir/artifacts/$t/" "$bindir/smoke/$t" "fuzz/corpus/$t" > "$log" 2>&1; then
			tail -60 "$log"
			echo "fuzz-smoke: $t failed"
			exit 1
		fi
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" | tr '\n' ' '
		echo
		echo "== fuzz-smoke $t: replay $bindir/smoke/$t (seeds + new inputs) through fz_tool: oracle under ASan+UBSan"
		if ! ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$bindir/fz_tool" --target "$t" --bench "$bindir/smoke/$t" 0 > "$bindir/smoke/$t.tool.log" 2>&1; then
			tail -40 "$bindir/smoke/$t.tool.log"
			echo "fuzz-smoke: $t failed in fz_tool"
			exit 1
		fi
	done
}

repro() {
	[ $# -ge 5 ] || usage
	bindir=$1 input=$2 t=$3 cc=$4
	shift 4
	if [ -z "$input" ]; then
		echo "usage: make fuzz-repro INPUT=crash-file [TARGET=sockopt|msfilter|igmp]"
		exit 2
	fi
	if [ -z "$t" ]; then
		for c in "$@"; do
			case "$input" in *"$c"*) t=$c ;; esac
		done
	fi
	if [ -z "$t" ]; then
		echo "cannot tell the target from $input: add TARGET=..."
		exit 2
	fi
	echo "== $input on target $t"
	"$bindir/fz_tool" --target "$t" --c "$bindir/repro.c" "$input" || :
	echo "standalone reproducer: $bindir/repro.c"
	echo "  build: $cc -D_GNU_SOURCE -Iprobes/lib -o $bindir/repro $bindir/repro.c probes/lib/mcp.c"
	exit 0
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
run) run "$@" ;;
smoke) smoke "$@" ;;
repro) repro "$@" ;;
*) usage ;;
esac
