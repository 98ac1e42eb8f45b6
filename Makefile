# mcprobe: probes observe -> harness judges against expected/ -> KTAP, JUnit, JSON, summary.
#
#   make check   run the conformance suite on the running kernel (KTAP on stdout)
#   make test    the project's own tests (harness unit tests, make check, proofs)
#   make deps    install the Debian packages the suite needs (idempotent)
#   make bench   wall-time benchmarks (not tests)
#   make bless   propose a baseline from the running kernel into build/proposed/
#
# Areas add themselves: every probes/<area>.c becomes probes/bin/<area>; fuzz/
# and ci/ bring their own targets through their .mk files.

SHELL      := /bin/bash
PYTHON     ?= /usr/bin/python3
MCPROBE    := $(PYTHON) mcprobe
CC         ?= gcc
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iprobes/lib
BUILD      := build
AREAS      ?=
REPEAT     ?= 1
# what make check judges: the probes here, or OBSERVATIONS=F KERNEL_RELEASE=R
# recorded elsewhere (KERNEL_LOG=L: that kernel's log); EXPECTED=D, OUT=D
HARNESS_ARGS = $(if $(AREAS),--areas $(AREAS)) $(if $(filter-out 1,$(REPEAT)),--repeat $(REPEAT)) \
	$(if $(OBSERVATIONS),--observations $(OBSERVATIONS) --kernel-release $(or $(KERNEL_RELEASE),$(error OBSERVATIONS needs KERNEL_RELEASE))) \
	$(if $(KERNEL_LOG),--kernel-log $(KERNEL_LOG)) $(if $(EXPECTED),--expected $(EXPECTED)) $(if $(OUT),--out $(OUT))
# compiler lines go to stderr (V=1: the whole command), so that stdout of
# `make check` is KTAP from its first line
V ?=
Q = $(if $(V),,@echo "  $(1) $@" >&2;)

PROBE_SRCS := $(wildcard probes/*.c)
PROBES     := $(patsubst probes/%.c,probes/bin/%,$(PROBE_SRCS))
LIB_SRCS   := $(wildcard probes/lib/*.c)
LIB_HDRS   := $(wildcard probes/lib/*.h)

# Debian packages, by what needs them
DEPS_CORE  := gcc libc6-dev make clang-14 iproute2 python3 python3-pytest python3-yaml python3-tap
DEPS_AREAS := python3-scapy
DEPS       := $(DEPS_CORE) $(DEPS_AREAS)

# sub-makefiles append to these; they are included here, before the rules
# below, because a rule's prerequisites are expanded when the rule is read
TEST_TARGETS  :=
BENCH_TARGETS :=
.DEFAULT_GOAL := all

-include $(wildcard probes/*.mk)
-include fuzz/fuzz.mk
-include ci/vm.mk
-include ci/docs.mk

.PHONY: all probes check check-run test deps need-deps bench bless clean repeat unit-tests proofs probes-clang

all: probes

probes: $(PROBES)

probes/bin/%: probes/%.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p probes/bin
	$(call Q,CC)$(CC) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(LDFLAGS)

# the same sources must build warning-free with clang too
probes-clang: $(PROBE_SRCS) $(LIB_SRCS)
	@mkdir -p $(BUILD)/clang
	@for s in $(PROBE_SRCS); do \
	  clang-14 $(CFLAGS) -o $(BUILD)/clang/$$(basename $$s .c) $$s $(LIB_SRCS) || exit 1; done
	@echo "probes build with clang-14 -Wall -Wextra -Werror"

deps:
	@sh ci/deps.sh install $(DEPS) $(EXTRA_DEPS)

# Stop with the exact command to run rather than fail half way.
need-deps:
	@sh ci/deps.sh need "the suite" $(DEPS)

# GNU make exits 2 whatever a recipe's status; the exit_status plugin lets
# `make check` end with the harness's kselftest status (0/1/4) itself. Where
# the plugin cannot be built, or check is one goal among others, a failing
# check is make's own failure (2).
-load $(BUILD)/exit_status.so
$(BUILD)/exit_status.so: ci/make/exit_status.c
	@mkdir -p $(BUILD)
	@$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< >&2
CHECK_STATUS  = $(BUILD)/.check-status
EXIT_AS_CHECK = $(and $(filter %exit_status.so,$(.LOADED)),$(filter check,$(MAKECMDGOALS)),$(if $(filter-out check,$(MAKECMDGOALS)),,1))

check-run: need-deps probes
	@mkdir -p $(BUILD); rm -f $(CHECK_STATUS)
	@$(MCPROBE) $(HARNESS_ARGS); echo $$? > $(CHECK_STATUS)

check: check-run
	@$(if $(EXIT_AS_CHECK),$(if $(filter-out 0,$(file < $(CHECK_STATUS))),$(mcprobe-exit $(file < $(CHECK_STATUS)))),exit $$(cat $(CHECK_STATUS)))

# run an area many times in a row: make repeat AREAS=delivery REPEAT=50
repeat: need-deps probes
	@$(MCPROBE) --areas $(or $(AREAS),$(error set AREAS=...)) --repeat $(REPEAT) --out $(BUILD)/repeat

unit-tests: need-deps probes
	$(PYTHON) -m pytest -q -p no:cacheprovider harness/tests

test: need-deps probes probes-clang unit-tests check $(TEST_TARGETS)
	@echo "make test: all project tests passed"

bench: need-deps probes $(BENCH_TARGETS)
	$(PYTHON) -m harness.bench

bless: need-deps probes
	$(PYTHON) -m harness.bless

clean:
	rm -rf $(BUILD) probes/bin

