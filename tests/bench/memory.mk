# tests/bench/memory.mk - the echo server's memory on epoll and io_uring
# in the same run (see memory.c): 10,000 idle connections, 50 clients
# that never read, and what stays after they have all left. A few
# minutes: the server takes a while to close 10,000 connections.

BENCHMARKS += bench-memory

.PHONY: bench-memory
bench-memory: $(BENCH_BIN)/memory $(BUILD)/bin/echo-server
	@mkdir -p $(BENCH_ROWS)
	@$(BENCH_BIN)/memory $(BUILD)/bin/echo-server $(BENCH_ROWS)/memory.json

$(BENCH_BIN)/memory: tests/bench/memory.c tests/bench/rows.c tests/bench/rows.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) tests/bench/memory.c tests/bench/rows.c -o $@
