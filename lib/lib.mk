# lib/lib.mk - build the aw library, twice:
#   build/lib/libaw.a       optimised, for programs and benchmarks
#   build/lib-san/libaw.a   with AddressSanitizer and UBSan, for tests
#                           and grading (crashes and leaks get names)

LIB_SRCS := $(wildcard lib/*.c)
LIB_ASM := $(wildcard lib/switch_*.S)
LIB_HDRS := $(wildcard lib/*.h)
URING_CFLAGS := $(shell pkg-config --cflags liburing 2>/dev/null)
URING_LIBS := $(shell pkg-config --libs liburing 2>/dev/null || echo -luring)
# What a program that links libaw.a must also link.
LIB_LDLIBS := $(URING_LIBS) -lm

LIB_OBJS := $(patsubst lib/%,$(BUILD)/lib/%.o,$(LIB_SRCS) $(LIB_ASM))
LIB_SAN_OBJS := $(patsubst lib/%,$(BUILD)/lib-san/%.o,$(LIB_SRCS) $(LIB_ASM))

.PHONY: lib lib-san
lib: $(BUILD)/lib/libaw.a
lib-san: $(BUILD)/lib-san/libaw.a

$(BUILD)/lib/libaw.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/lib-san/libaw.a: $(LIB_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/lib/%.o: lib/% $(LIB_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_OPT) $(URING_CFLAGS) -c $< -o $@

$(BUILD)/lib-san/%.o: lib/% $(LIB_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -O1 -g $(SAN_FLAGS) $(URING_CFLAGS) -c $< -o $@
