# tests/bench/bench.mk - make bench: run every benchmark, then merge their
# results into one file, $(BUILD)/bench/results.json.
#
# The convention every benchmark follows:
#   - Its rules live in a fragment of its own, tests/bench/NAME.mk (this
#     file includes them all), which adds its run target to BENCHMARKS:
#         BENCHMARKS += bench-NAME
#   - Its programs are built into $(BENCH_BIN) with $(BENCH_CFLAGS) (-O2)
#     and linked with the normal library, $(BUILD)/lib/libaw.a, never the
#     sanitizer build.
#   - When it runs, it writes its rows to $(BENCH_ROWS)/NAME.json: a JSON
#     list of {"bench", "subject", "params", "value", "unit"} objects (C
#     programs use tests/bench/rows.h), and may print a table of its own.
#
# `make bench` runs the BENCHMARKS one after another, never in parallel
# (they would disturb each other), then tests/bench/collect.sh checks and
# merges every fragment into results.json and prints one table. To run
# some only: make bench BENCHMARKS=bench-switch

BENCH_DIR = $(BUILD)/bench
BENCH_BIN = $(BENCH_DIR)/bin
BENCH_ROWS = $(BENCH_DIR)/rows
BENCH_CFLAGS = $(CFLAGS_STRICT) $(CFLAGS_OPT) -Ilib -Itests/bench

-include $(filter-out tests/bench/bench.mk,$(wildcard tests/bench/*.mk))

.PHONY: bench
bench: deps-bench lib
	@rm -rf $(BENCH_ROWS) && mkdir -p $(BENCH_ROWS)
	@for benchmark in $(BENCHMARKS); do \
	  echo "== $$benchmark"; \
	  $(MAKE) --no-print-directory $$benchmark || exit 1; \
	done
	@echo "== results"
	@bash tests/bench/collect.sh $(BENCH_ROWS) $(BENCH_DIR)/results.json
	@python3 tests/bench/targets.py $(BENCH_DIR)/results.json
