# chapters/chapters.mk - the chapters' example programs.
#
# Every chapters/examples/NN/*.c is a whole program, built with the strict
# flags against the sanitizer build of the library. `make test-examples`
# builds them all and runs each one that has a NAME.expected file beside
# it, comparing its output: the "Try it" output a chapter shows is the
# .expected file itself, included like any listing.

EXAMPLE_SRCS := $(wildcard chapters/examples/*/*.c)
EXAMPLE_BINS := $(patsubst chapters/examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

.PHONY: examples test-examples
examples: $(EXAMPLE_BINS)

$(BUILD)/examples/%: chapters/examples/%.c $(BUILD)/lib-san/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(SAN_FLAGS) -Ilib $< $(BUILD)/lib-san/libaw.a \
	  $(LIB_LDLIBS) -o $@

test-examples: $(EXAMPLE_BINS)
	@bash chapters/examples/run.sh $(BUILD)/examples

# The echo server is also a program of its own, optimised and without
# sanitizers: `make` builds it, and the benchmarks run it.
.PHONY: echo-server
all: echo-server
echo-server: $(BUILD)/bin/echo-server

$(BUILD)/bin/echo-server: chapters/examples/07/echo_server.c $(BUILD)/lib/libaw.a | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_OPT) -Ilib $< $(BUILD)/lib/libaw.a \
	  $(LIB_LDLIBS) -o $@
