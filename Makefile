# The workbook's one Makefile. `make help` lists the targets.
#
# Each area keeps its rules in a fragment beside its files:
#   lib/lib.mk          the aw library (normal and sanitizer builds)
#   tests/grade/grade.mk  make grade, and the proof that graders fail and pass
#   tests/lib.mk        the library's own Check suites
#   chapters/chapters.mk  the chapters' example programs
#   book/book.mk        make book
#   tests/bench/bench.mk  make bench
#   tests/fuzz/fuzz.mk  make fuzz-reader (libFuzzer, clang)

.DEFAULT_GOAL := all
SHELL := /bin/bash
BUILD := build

CC ?= cc
# -fstack-clash-protection: a frame bigger than a page touches each page
# in turn, so a big local array meets a task stack's guard page instead
# of jumping over it into whatever lies below (lib/stack.c).
CFLAGS_STRICT := -std=gnu17 -Wall -Wextra -Werror -fstack-clash-protection
CFLAGS_OPT := -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined

# Debian packages the workbook needs, by what it needs them for.
PKGS_BUILD := check liburing-dev pkg-config bubblewrap python3
PKGS_BOOK := pandoc graphviz chromium
PKGS_BOOK_TEST := epubcheck poppler-utils python3
PKGS_BENCH := libuv1-dev python3-uvloop strace
PKGS_TEST := valgrind clang-format gdb

.PHONY: all help deps deps-book deps-book-test deps-bench deps-test clean test format format-check
all: lib

# The project's own suite: library, examples, graders, book, formatting.
test: deps deps-book deps-test
	@bash tests/test.sh

# Every C file we write follows .clang-format.
FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	@if ! command -v clang-format >/dev/null; then \
	  echo "format: 0 passed, 0 failed, 1 skipped (clang-format not installed)"; exit 0; fi; \
	bad=$$(for f in $(FORMAT_SRCS); do clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run make format):" $$bad; \
	  echo "format: 0 passed, 1 failed"; exit 1; fi; echo "format: 1 passed, 0 failed"

help:
	@echo "make grade            grade your exercises, in order (the main job)"
	@echo "make grade EX=NAME    grade one exercise, e.g. EX=01-coroutines/first_task"
	@echo "make grade SRC=DIR    grade another copy laid out like exercises/"
	@echo "                      (SRC=solutions grades the reference solutions)"
	@echo "make grade-list       every exercise, numbered, with its title"
	@echo "make watch            grade again on every save: the first exercise not done"
	@echo "make watch EX=NAME    watch one exercise only"
	@echo "make next             the exercise to do now, with its file and chapter section"
	@echo "make hint [EX=NAME]   the next hint, one level at a time (LEVEL=1 starts over)"
	@echo "make reset EX=NAME    start an exercise over from git (your file is backed up)"
	@echo "make compile_commands.json  build/compile_commands.json, for clangd in your editor"
	@echo "make test             the project's own suite (library, graders, examples)"
	@echo "make book             the book: build/book/index.html, book.epub, book.pdf"
	@echo "make bench            run the benchmarks; results in build/bench/results.json"
	@echo "make clean            remove build/"

# deps: install what is missing, as root or through sudo (waiting for a
# busy apt); otherwise stop with the one command to run.
install_missing = @bash tests/install_missing.sh $(1)

deps:
	$(call install_missing,$(PKGS_BUILD))
deps-book:
	$(call install_missing,$(PKGS_BOOK))
deps-book-test:
	$(call install_missing,$(PKGS_BOOK) $(PKGS_BOOK_TEST))
deps-bench:
	$(call install_missing,$(PKGS_BUILD) $(PKGS_BENCH))
deps-test:
	$(call install_missing,$(PKGS_TEST))

clean:
	rm -rf $(BUILD)

include lib/lib.mk
-include tests/lib.mk
-include tests/tsan.mk
-include tests/grade/grade.mk
-include tests/grade/mutants.mk
-include tests/grade/class.mk
-include chapters/chapters.mk
-include book/book.mk
-include tests/bench/bench.mk
-include tests/gdb/gdb.mk
-include tests/fuzz/fuzz.mk
