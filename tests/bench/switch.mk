# tests/bench/switch.mk - the cost of one context switch: the library's
# aw__switch beside glibc's swapcontext (see switch.c). About 5 seconds.

BENCHMARKS += bench-switch

.PHONY: bench-switch
bench-switch: $(BENCH_BIN)/switch
	@mkdir -p $(BENCH_ROWS)
	@$(BENCH_BIN)/switch $(BENCH_ROWS)/switch.json

$(BENCH_BIN)/switch: tests/bench/switch.c tests/bench/rows.c \
                     tests/bench/rows.h lib/switch.h $(BUILD)/lib/libaw.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) tests/bench/switch.c tests/bench/rows.c \
	  $(BUILD)/lib/libaw.a $(LIB_LDLIBS) -o $@
