# fuzz/fuzz.mk - libFuzzer targets for the multicast socket paths (included by the Makefile).
#
#   make fuzz            every target for FUZZ_SECONDS (default 60) each, corpus in build/fuzz/corpus/<t>
#   make fuzz-smoke      replay the seed corpus, new inputs up to FUZZ_SMOKE_RUNS runs per target, prove the
#                        oracle fires (MCP_FUZZ_WRONG_RULE); part of `make test`
#   make fuzz-repro INPUT=crash-... [TARGET=sockopt|msfilter|igmp]
#                        listing of the input's calls + build/fuzz/repro.c (standalone, no libFuzzer)
#   make bench-fuzz      execs/s of each target next to the raw ceiling (part of `make bench`)
# Build outputs: build/fuzz/. Every fuzzer unshare()s its own netns before the first input.

FUZZ_CC        ?= clang-14
FUZZ_TARGETS   := sockopt msfilter igmp
FUZZ_SECONDS   ?= 60
FUZZ_SMOKE_RUNS ?= 3000
FUZZ_JOBS      ?= 1
FUZZ_DIR       := $(BUILD)/fuzz
# the interpreter (fz_prog.h lists what each file does), then the model
FUZZ_PROG      := fz_prog fz_tables fz_trace fz_repro fz_ops fz_frames fz_oracle
FUZZ_COMMON    := fuzz/fz_env.c fuzz/fz_model.c $(patsubst %,fuzz/%.c,$(FUZZ_PROG)) fuzz/fz_cov.c probes/lib/mcp.c
FUZZ_HDRS      := fuzz/fz.h fuzz/fz_prog.h probes/lib/mcp.h fuzz/fuzz.mk
FUZZ_CFLAGS    := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iprobes/lib -Ifuzz -g -O1 \
                  -fno-omit-frame-pointer $(FUZZ_EXTRA_CFLAGS)
FUZZ_SAN       := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS      := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
# -reload=0: one process per corpus directory (or -fork): rereading it every second is wasted
FUZZ_OPTS      := -max_len=1024 -timeout=10 -rss_limit_mb=2048 -reload=0 -print_final_stats=1
EXTRA_DEPS     += clang-14 libclang-rt-14-dev  # libFuzzer and sanitizer runtimes: only Recommended by clang-14

TEST_TARGETS  += fuzz-smoke
BENCH_TARGETS += bench-fuzz

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-repro bench-fuzz fuzz-seeds

fuzz-build: $(FUZZ_BINS) $(FUZZ_DIR)/fz_tool $(FUZZ_DIR)/fz_raw

# What is instrumented (measured with make bench-fuzz, fuzz/README.md "Oracle cost"):
#  - environment (namespaces, rtnetlink, /proc reads): ASan+UBSan, no coverage: libFuzzer
#    should reward new model/interpreter behaviour, not the paths that rebuild a veth;
#  - interpreter and input decoder (the FUZZ_PROG files): ASan+UBSan, edge coverage (8-bit counters,
#    indirect calls) without trace-cmp: its comparisons are reader bounds, table indexes and
#    rc-versus-model checks, never input bytes against a constant, and their callbacks were
#    a third of the fuzzer's user time;
#  - model (fz_model.c): ASan+UBSan, edges and trace-cmp: it compares the levels, option
#    names, lengths and values taken from the input, which is what trace-cmp feeds back;
#  - the oracle's /proc read-and-compare code, fz_oracle.c (fuzz/harness.ignorelist, one
#    src: line for both lists): no coverage and no sanitizers in the fuzzers (it parses what
#    the kernel printed, its edges track the size of /proc). fz_tool keeps every sanitizer
#    on it, fuzz-smoke replays the smoke corpus through it and checks the objects
#    (fuzz/instrumentation.py).
FUZZ_ENV_OBJS  := $(FUZZ_DIR)/obj/fz_env.o $(FUZZ_DIR)/obj/fz_cov.o $(FUZZ_DIR)/obj/mcp.o
FUZZ_COV_OBJS  := $(FUZZ_DIR)/obj/fz_model.o $(patsubst %,$(FUZZ_DIR)/obj/%.o,$(FUZZ_PROG))
FUZZ_IGNORE    := fuzz/harness.ignorelist
FUZZ_HARNESS   := -fsanitize-ignorelist=$(FUZZ_IGNORE) -fsanitize-coverage-ignorelist=$(FUZZ_IGNORE)
FUZZ_SAN_OBJ   := -fsanitize=address,undefined -fno-sanitize-recover=undefined $(FUZZ_HARNESS)
FUZZ_COV_prog  := -fsanitize-coverage=inline-8bit-counters,indirect-calls,pc-table
FUZZ_COV_model := -fsanitize=fuzzer-no-link

$(FUZZ_DIR)/obj/mcp.o: probes/lib/mcp.c $(FUZZ_HDRS)
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=undefined -c -o $@ $<

$(FUZZ_DIR)/obj/fz_env.o $(FUZZ_DIR)/obj/fz_cov.o: $(FUZZ_DIR)/obj/%.o: fuzz/%.c $(FUZZ_HDRS)
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=undefined -c -o $@ $<

$(FUZZ_COV_OBJS): $(FUZZ_DIR)/obj/%.o: fuzz/%.c $(FUZZ_HDRS) $(FUZZ_IGNORE)
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN_OBJ) $(if $(filter fz_model,$*),$(FUZZ_COV_model),$(FUZZ_COV_prog)) -c -o $@ $<

# dynamically linked (a -static libFuzzer binary crashes at start-up, see ecosystem.md 2.3)
$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_ENV_OBJS) $(FUZZ_COV_OBJS) $(FUZZ_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_COV_OBJS) $(FUZZ_ENV_OBJS)

# the targets without libFuzzer: replay/listing/C reproducer, with ASan+UBSan
$(FUZZ_DIR)/fz_tool: fuzz/fz_main.c $(FUZZ_COMMON) $(FUZZ_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined -o $@ $< $(FUZZ_COMMON)

# the raw ceiling for the benchmark: same interpreter, optimised, no sanitizers, no fuzzer
$(FUZZ_DIR)/fz_raw: fuzz/fz_main.c $(FUZZ_COMMON) $(FUZZ_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(filter-out -O1,$(FUZZ_CFLAGS)) -O2 -o $@ $< $(FUZZ_COMMON)

fuzz-seeds:
	$(PYTHON) fuzz/gen_seeds.py

# the shell programs of these recipes are fuzz/fuzz.sh (run, smoke, repro)
# make fuzz [FUZZ_SECONDS=600] [FUZZ_JOBS=N]: the working corpus starts from the committed seeds
fuzz: fuzz-build
	@sh fuzz/fuzz.sh run $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_JOBS) "$(FUZZ_OPTS)" $(FUZZ_TARGETS)

# CI: replay the seeds, a few thousand new inputs per target, the resulting corpus once more
# through fz_tool (fz_oracle.c, left out by harness.ignorelist, with ASan+UBSan), the
# instrumentation split of the objects, then the oracle proof
fuzz-smoke: fuzz-build
	@sh fuzz/fuzz.sh smoke $(FUZZ_DIR) $(FUZZ_SMOKE_RUNS) "$(FUZZ_OPTS)" $(FUZZ_TARGETS)
	@$(PYTHON) fuzz/instrumentation.py --objdir $(FUZZ_DIR)/obj
	@$(PYTHON) fuzz/oracle_proof.py --bindir $(FUZZ_DIR)

# make fuzz-repro INPUT=path [TARGET=t]: TARGET defaults to the target named in the path
fuzz-repro: $(FUZZ_DIR)/fz_tool
	@sh fuzz/fuzz.sh repro $(FUZZ_DIR) "$(INPUT)" "$(TARGET)" "$(CC)" $(FUZZ_TARGETS)

bench-fuzz: fuzz-build
	@$(PYTHON) fuzz/bench.py --bindir $(FUZZ_DIR) --seconds $(or $(FUZZ_BENCH_SECONDS),10) --fuzz-opts "$(FUZZ_OPTS)"
