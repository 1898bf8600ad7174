# tests/lib.mk - the library's own Check suites.
#
# Every tests/lib/test_*.c is one binary, linked with the sanitizer build
# of the library. A suite that should run once per backend says so in a
# line comment:   // lib-test-backends: epoll poll select io_uring
# tests/lib/run.sh runs them all and prints one line per run; a binary
# that exits 77 is counted as skipped and must print why.

CHECK_FLAGS = $(shell pkg-config --cflags --libs check 2>/dev/null)
LIB_TEST_SRCS := $(wildcard tests/lib/test_*.c)
LIB_TEST_BINS := $(patsubst tests/lib/%.c,$(BUILD)/tests/lib/%,$(LIB_TEST_SRCS))
LIB_TEST_VG_BINS := $(patsubst tests/lib/%.c,$(BUILD)/tests/lib-vg/%,$(LIB_TEST_SRCS))

.PHONY: test-lib test-lib-valgrind
test-lib: $(LIB_TEST_BINS)
	@bash tests/lib/run.sh $(BUILD)/tests/lib $(LIB_TEST_BINS)

# The same suites without sanitizers, in-process, under valgrind.
test-lib-valgrind: $(LIB_TEST_VG_BINS)
	@VALGRIND=1 bash tests/lib/run.sh $(BUILD)/tests/lib-vg $(LIB_TEST_VG_BINS)

$(BUILD)/tests/lib/%: tests/lib/%.c tests/lib/runner.c tests/lib/runner.h $(BUILD)/lib-san/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(SAN_FLAGS) -Ilib -Itests/lib $< tests/lib/runner.c \
	  $(BUILD)/lib-san/libaw.a $(CHECK_FLAGS) $(LIB_LDLIBS) -o $@

$(BUILD)/tests/lib-vg/%: tests/lib/%.c tests/lib/runner.c tests/lib/runner.h $(BUILD)/lib/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g -Ilib -Itests/lib $< tests/lib/runner.c \
	  $(BUILD)/lib/libaw.a $(CHECK_FLAGS) $(LIB_LDLIBS) -o $@

# test_null calls every public function with NULL. The calls are written
# from the headers at build time by gen_null_test.py, which fails (and so
# the build) on a prototype it cannot read: no function is forgotten.
NULL_CALLS = $(BUILD)/tests/gen/null_calls.c
$(NULL_CALLS): tests/lib/gen_null_test.py $(wildcard lib/aw*.h)
	@mkdir -p $(@D)
	@python3 tests/lib/gen_null_test.py $@ $(wildcard lib/aw*.h)

$(BUILD)/tests/lib/test_null: tests/lib/test_null.c tests/lib/null_test.h $(NULL_CALLS) \
                              tests/lib/runner.c tests/lib/runner.h $(BUILD)/lib-san/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(SAN_FLAGS) -Ilib -Itests/lib $< $(NULL_CALLS) \
	  tests/lib/runner.c $(BUILD)/lib-san/libaw.a $(CHECK_FLAGS) $(LIB_LDLIBS) -o $@

$(BUILD)/tests/lib-vg/test_null: tests/lib/test_null.c tests/lib/null_test.h $(NULL_CALLS) \
                                 tests/lib/runner.c tests/lib/runner.h $(BUILD)/lib/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g -Ilib -Itests/lib $< $(NULL_CALLS) \
	  tests/lib/runner.c $(BUILD)/lib/libaw.a $(CHECK_FLAGS) $(LIB_LDLIBS) -o $@

# The switch of another architecture, cross-compiled and run under
# qemu-user (packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and
# qemu-user; not needed for anything else, so not part of make test).
.PHONY: test-switch-aarch64
test-switch-aarch64:
	@command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null || \
	  { echo "needs: sudo apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"; exit 1; }
	@mkdir -p $(BUILD)/switch
	aarch64-linux-gnu-gcc $(CFLAGS_STRICT) -O2 -static -Ilib tests/switch/pingpong.c \
	  lib/switch_aarch64.S -o $(BUILD)/switch/pingpong-aarch64
	qemu-aarch64 $(BUILD)/switch/pingpong-aarch64

-include tests/conformance/conformance.mk
