# tests/conformance/conformance.mk - asyncio conformance twins.
#
# Every tests/conformance/NAME.c is the twin of NAME.py, the same program
# written for Python's asyncio. `make conformance` runs both and compares
# the lines they print, which record the order of events. Without
# python3 (3.11 or later) the pairs are skipped, with the reason.

CONFORMANCE_SRCS := $(wildcard tests/conformance/*.c)
CONFORMANCE_BINS := $(patsubst tests/conformance/%.c,$(BUILD)/tests/conformance/%,$(CONFORMANCE_SRCS))

.PHONY: conformance
conformance: $(CONFORMANCE_BINS)
	@bash tests/conformance/run.sh $(CONFORMANCE_BINS)

$(BUILD)/tests/conformance/%: tests/conformance/%.c tests/conformance/twin.h $(BUILD)/lib-san/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(SAN_FLAGS) -Ilib $< $(BUILD)/lib-san/libaw.a $(LIB_LDLIBS) -o $@
