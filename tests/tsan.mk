# tests/tsan.mk - the library's promises about threads, under
# ThreadSanitizer: `make test-lib-tsan` (part of make test).
#
# The library is built a third time, with -fsanitize=thread, and the
# thread suite's "callbacks" case runs on it. Only that case: tasks
# switch stacks, which ThreadSanitizer cannot follow.

TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
LIB_TSAN_OBJS := $(patsubst lib/%,$(BUILD)/lib-tsan/%.o,$(LIB_SRCS) $(LIB_ASM))
TSAN_SUITES := test_threads
TSAN_BACKENDS := epoll io_uring

.PHONY: test-lib-tsan
test-lib-tsan: $(patsubst %,$(BUILD)/tests/lib-tsan/%,$(TSAN_SUITES))
	@passed=0; failed=0; skipped=0; \
	for t in $^; do for b in $(TSAN_BACKENDS); do \
	  log=$$t.$$b.log; \
	  CK_RUN_CASE=callbacks AW_BACKEND=$$b TSAN_OPTIONS=halt_on_error=1 \
	    timeout 300 $$t >$$log 2>&1; rc=$$?; \
	  if [ $$rc = 0 ]; then passed=$$((passed+1)); echo "  ok    $$(basename $$t) $$b";\
	  elif [ $$rc = 77 ]; then skipped=$$((skipped+1)); echo "  skip  $$(basename $$t) $$b: $$(head -n1 $$log)";\
	  else failed=$$((failed+1)); echo "  FAIL  $$(basename $$t) $$b"; tail -n 30 $$log; fi; \
	done; done; \
	echo "tsan: $$passed passed, $$failed failed, $$skipped skipped"; [ $$failed = 0 ]

$(BUILD)/lib-tsan/libaw.a: $(LIB_TSAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/lib-tsan/%.o: lib/% $(LIB_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(TSAN_FLAGS) $(URING_CFLAGS) -c $< -o $@

$(BUILD)/tests/lib-tsan/%: tests/lib/%.c tests/lib/runner.c tests/lib/runner.h $(BUILD)/lib-tsan/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(TSAN_FLAGS) -Ilib -Itests/lib $< tests/lib/runner.c \
	  $(BUILD)/lib-tsan/libaw.a $(CHECK_FLAGS) $(LIB_LDLIBS) -o $@
