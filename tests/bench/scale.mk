# tests/bench/scale.mk - the library at scale (scale_bench.py):
#   bench-timers  million_timers: create 1M timers, cancel half, run the
#                 rest; aw beside libuv and asyncio. About a minute.
#   bench-tasks   sleeping_tasks: resident bytes per sleeping task at
#                 10k, 100k and 1M tasks; aw beside asyncio. Minutes on a
#                 slow machine (a million first touches of a page).

BENCHMARKS += bench-timers bench-tasks

.PHONY: bench-timers bench-tasks
bench-timers: $(BENCH_BIN)/timers-aw $(BENCH_BIN)/timers-uv
	@mkdir -p $(BENCH_ROWS)
	@python3 tests/bench/scale_bench.py timers $(BENCH_ROWS)/million_timers.json \
	  $(BENCH_BIN)/timers-aw $(BENCH_BIN)/timers-uv

bench-tasks: $(BENCH_BIN)/tasks-aw
	@mkdir -p $(BENCH_ROWS)
	@python3 tests/bench/scale_bench.py tasks $(BENCH_ROWS)/sleeping_tasks.json \
	  $(BENCH_BIN)/tasks-aw

$(BENCH_BIN)/timers-aw: tests/bench/timers_aw.c tests/bench/bench_util.h $(BUILD)/lib/libaw.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< $(BUILD)/lib/libaw.a $(LIB_LDLIBS) -o $@

$(BENCH_BIN)/timers-uv: tests/bench/timers_uv.c tests/bench/bench_util.h | deps-bench
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< $(shell pkg-config --cflags --libs libuv 2>/dev/null || echo -luv) -o $@

$(BENCH_BIN)/tasks-aw: tests/bench/tasks_aw.c tests/bench/bench_util.h $(BUILD)/lib/libaw.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< $(BUILD)/lib/libaw.a $(LIB_LDLIBS) -o $@
