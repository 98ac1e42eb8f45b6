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
CC         ?= gcc
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iprobes/lib
BUILD      := build
AREAS      ?=
REPEAT     ?= 1

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

.PHONY: all probes check test deps need-deps bench bless clean repeat unit-tests proofs probes-clang

all: probes

probes: $(PROBES)

probes/bin/%: probes/%.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p probes/bin
	$(CC) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(LDFLAGS)

# the same sources must build warning-free with clang too
probes-clang: $(PROBE_SRCS) $(LIB_SRCS)
	@mkdir -p $(BUILD)/clang
	@for s in $(PROBE_SRCS); do \
	  clang-14 $(CFLAGS) -o $(BUILD)/clang/$$(basename $$s .c) $$s $(LIB_SRCS) || exit 1; done
	@echo "probes build with clang-14 -Wall -Wextra -Werror"

deps:
	@missing=$$(for p in $(DEPS) $(EXTRA_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all Debian packages present"; fi

# Stop with the exact command to run rather than fail half way.
need-deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "missing Debian packages; run:  apt-get install -y $$missing   (or: make deps)" >&2; exit 2; fi

check: need-deps probes
	@$(PYTHON) -m harness $(if $(AREAS),--areas $(AREAS)) $(if $(filter-out 1,$(REPEAT)),--repeat $(REPEAT))

# run an area many times in a row: make repeat AREAS=delivery REPEAT=50
repeat: need-deps probes
	@$(PYTHON) -m harness --areas $(or $(AREAS),$(error set AREAS=...)) --repeat $(REPEAT) --out $(BUILD)/repeat

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

