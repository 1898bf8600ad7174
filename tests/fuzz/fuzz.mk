# tests/fuzz/fuzz.mk - libFuzzer harnesses (clang), not part of make test:
# a fuzzer runs until stopped, so each has a target of its own.
#
#   make fuzz-reader   the stream reader against its model
#                      (tests/fuzz/reader_fuzz.c), FUZZ_SECONDS per
#                      backend in FUZZ_BACKENDS; the corpus is kept in
#                      $(BUILD)/fuzz/corpus-reader between runs.
#
# The library is compiled again with clang, as libFuzzer and its
# AddressSanitizer must be the same compiler's.

PKGS_FUZZ := clang libclang-rt-14-dev
FUZZ_CC := clang
FUZZ_SECONDS ?= 60
FUZZ_BACKENDS ?= epoll io_uring
FUZZ_DIR = $(BUILD)/fuzz
FUZZ_FLAGS := -std=gnu17 -Wall -Wextra -Werror -O1 -g \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJS := $(patsubst lib/%,$(FUZZ_DIR)/lib/%.o,$(LIB_SRCS) $(LIB_ASM))

.PHONY: fuzz-reader deps-fuzz
deps-fuzz:
	$(call install_missing,$(PKGS_BUILD) $(PKGS_FUZZ))

$(FUZZ_DIR)/lib/%.o: lib/% $(LIB_HDRS) | deps-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(URING_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libaw.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/reader_fuzz: tests/fuzz/reader_fuzz.c tests/lib/reader_model.h $(FUZZ_DIR)/libaw.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -Ilib -Itests/lib $< \
	  $(FUZZ_DIR)/libaw.a $(LIB_LDLIBS) -o $@

fuzz-reader: $(FUZZ_DIR)/reader_fuzz
	@mkdir -p $(FUZZ_DIR)/corpus-reader
	@for backend in $(FUZZ_BACKENDS); do \
	  echo "== fuzz-reader on $$backend ($(FUZZ_SECONDS) s)"; \
	  AW_BACKEND=$$backend $(FUZZ_DIR)/reader_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=256 -artifact_prefix=$(FUZZ_DIR)/reader- \
	    $(FUZZ_DIR)/corpus-reader || exit 1; \
	done
