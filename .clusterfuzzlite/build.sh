#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
# ClusterFuzzLite / OSS-Fuzz build: the three mcprobe fuzz targets into $OUT, with their
# dictionaries and seed corpora. Uses the environment's $CC/$CFLAGS and links with
# $CXX $LIB_FUZZING_ENGINE. The fuzzers unshare() a private network namespace at start-up
# and exit with a message where that is not allowed (CFLite runs its containers --privileged).
cd "${SRC}/mcprobe"
flags="-std=gnu11 -D_GNU_SOURCE -Iprobes/lib -Ifuzz"
# The instrumentation split of fuzz/fuzz.mk (reasons there): the environment without
# coverage, the interpreter without trace-cmp, the oracle's /proc read-and-compare
# code (fuzz/fz_oracle.c, named by fuzz/harness.ignorelist) without coverage or sanitizers.
ign="-fsanitize-ignorelist=fuzz/harness.ignorelist -fsanitize-coverage-ignorelist=fuzz/harness.ignorelist"
# the interpreter's files (FUZZ_PROG in fuzz/fuzz.mk)
prog="fuzz/fz_prog.c fuzz/fz_tables.c fuzz/fz_trace.c fuzz/fz_repro.c fuzz/fz_ops.c fuzz/fz_frames.c fuzz/fz_oracle.c"
declare -A extra=(
  [fuzz/fz_env.c]="-fno-sanitize=fuzzer-no-link"
  [fuzz/fz_cov.c]="-fno-sanitize=fuzzer-no-link"
  [probes/lib/mcp.c]="-fno-sanitize=fuzzer-no-link"
  [fuzz/fz_model.c]="$ign"
)
for f in $prog; do
  extra[$f]="$ign -fno-sanitize-coverage=trace-cmp"
done
objs=""
for f in fuzz/fz_env.c fuzz/fz_model.c $prog fuzz/fz_cov.c probes/lib/mcp.c; do
  o="${WORK}/$(basename "$f" .c).o"
  # shellcheck disable=SC2086  # flag lists are meant to split
  $CC $CFLAGS $flags ${extra[$f]} -c "$f" -o "$o"
  objs="$objs $o"
done
for t in sockopt msfilter igmp; do
  $CC $CFLAGS $flags -c "fuzz/fuzz_${t}.c" -o "${WORK}/fuzz_${t}.o"
  $CXX $CXXFLAGS "${WORK}/fuzz_${t}.o" $objs $LIB_FUZZING_ENGINE -o "${OUT}/fuzz_${t}"
  cp "fuzz/dict/${t}.dict" "${OUT}/fuzz_${t}.dict"
  python3 - "$t" <<'PY'
import os, sys, zipfile
t = sys.argv[1]
src = os.path.join("fuzz/corpus", t)
with zipfile.ZipFile(os.path.join(os.environ["OUT"], "fuzz_%s_seed_corpus.zip" % t), "w") as z:
    for n in sorted(os.listdir(src)):
        z.write(os.path.join(src, n), n)
PY
done
