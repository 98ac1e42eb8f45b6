# Issue 3, "Delivery and scope": areas delivery, sendopts, scope.
#
#   make repeat-delivery [REPEAT=50]   the three areas and the IPv6 traffic areas N times in a row, judged (default 50)
#   make bench-ipc                     multicast vs AF_UNIX relay vs direct AF_UNIX (build/bench/ipc.md)
#   make bench-delivery-area           wall time of the three probes, run one after the other
#
# `make test` runs the areas 10 times in a row (REPEAT=N overrides); `make bench` runs both benches.

DLV_AREAS  := delivery,sendopts,scope
DLV_PROBES := probes/bin/delivery probes/bin/sendopts probes/bin/scope
# issue 13: the IPv6 traffic areas run in the same repeat targets
DLV6_AREAS  := delivery6,sendopts6,sourcefilter6,scope6
DLV6_PROBES := probes/bin/delivery6 probes/bin/sendopts6 probes/bin/sourcefilter6 probes/bin/scope6

TEST_TARGETS  += test-delivery-repeat
BENCH_TARGETS += bench-ipc bench-delivery-area

.PHONY: test-delivery-repeat repeat-delivery bench-ipc bench-delivery-area

test-delivery-repeat: need-deps $(DLV_PROBES) $(DLV6_PROBES)
	@probes/bench/repeat_quiet.sh $(BUILD)/delivery-repeat $(MCPROBE) --areas $(DLV_AREAS),$(DLV6_AREAS) \
	  --repeat $(if $(filter-out 1,$(REPEAT)),$(REPEAT),10)

repeat-delivery: need-deps $(DLV_PROBES) $(DLV6_PROBES)
	@$(MCPROBE) --areas $(DLV_AREAS),$(DLV6_AREAS) --repeat $(if $(filter-out 1,$(REPEAT)),$(REPEAT),50) \
	  --out $(BUILD)/delivery-repeat

$(BUILD)/bench/ipc: probes/bench/ipc.c probes/lib/mcp.c probes/lib/mcp.h
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -pthread -o $@ probes/bench/ipc.c probes/lib/mcp.c $(LDFLAGS)

bench-ipc: $(BUILD)/bench/ipc
	@$(BUILD)/bench/ipc --out $(BUILD)/bench/ipc.md

# The issue's bound is for the delivery area as a whole: the three probes'
# wall times added (they run in parallel under the harness; this is the
# conservative figure). Five runs, each line one run.
bench-delivery-area: $(DLV_PROBES)
	@mkdir -p $(BUILD)/bench
	@set -o pipefail; probes/bench/delivery_area.sh $(DLV_PROBES) | tee $(BUILD)/bench/delivery-area.md

# the project's tests check that the IPC benchmark writes its table
unit-tests: $(BUILD)/bench/ipc
