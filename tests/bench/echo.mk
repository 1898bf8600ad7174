# tests/bench/echo.mk - the echo benchmarks (see echo.sh): ours on each
# backend beside libuv, asyncio and uvloop, driven by one C client.
# About 15 minutes in full; BENCH_QUICK=1 BENCH_RUNS=1 for a smoke run.

BENCHMARKS += bench-echo

UV_FLAGS = $(shell pkg-config --cflags --libs libuv 2>/dev/null || echo -luv)

.PHONY: bench-echo
bench-echo: $(BENCH_BIN)/echo-client $(BENCH_BIN)/uv-echo-server $(BUILD)/bin/echo-server
	@mkdir -p $(BENCH_ROWS)
	@ECHO_SERVER=$(BUILD)/bin/echo-server bash tests/bench/echo.sh $(BENCH_DIR)

$(BENCH_BIN)/echo-client: tests/bench/echo_client.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_OPT) $< -o $@

$(BENCH_BIN)/uv-echo-server: tests/bench/uv_echo_server.c | deps-bench
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_OPT) $< $(UV_FLAGS) -o $@
