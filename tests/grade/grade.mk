# tests/grade/grade.mk - make grade, make grade-list, make grade-prove.
# Included by the top-level Makefile; paths are from the repository root.
#
#   make grade                 grade every exercise, in exercises/LIST order
#   make grade EX=NAME         grade one (NAME as in the list, or its number)
#   make grade SRC=DIR         grade another copy laid out like exercises/
#                              (in a sandbox; see tests/grade/README.md for
#                              GRADE_SANDBOX, GRADE_OUT, GRADE_DISABLE, UNSAFE)
#   make grade-list            the numbered list of exercises
#   make grade-prove           prove every grader fails on its stub and
#                              passes on its solution (part of make test)
#
# EX and SRC are read from the command line only, so that an unrelated
# SRC in someone's environment cannot change what gets graded.

GRADE_EX := $(if $(filter command line,$(origin EX)),$(EX))
GRADE_SRC := $(if $(filter command line,$(origin SRC)),$(SRC),exercises)

# What grade.sh needs from this Makefile, passed through the environment.
GRADE_ENV = CC='$(CC)' CFLAGS_STRICT='$(CFLAGS_STRICT)' \
            SAN_FLAGS='$(SAN_FLAGS)' BUILD='$(BUILD)' \
            LIBAW='$(BUILD)/lib-san/libaw.a' \
            GRADE_SANDBOX='$(GRADE_SANDBOX)' GRADE_DISABLE='$(GRADE_DISABLE)' \
            GRADE_OUT='$(GRADE_OUT)' UNSAFE='$(UNSAFE)'

.PHONY: grade grade-list grade-prove

grade: deps lib-san
	@$(GRADE_ENV) EX='$(GRADE_EX)' SRC='$(GRADE_SRC)' bash tests/grade/grade.sh

grade-list:
	@bash tests/grade/grade.sh --list

grade-prove: deps lib-san
	@$(GRADE_ENV) bash tests/grade/prove.sh

# The learner's commands, in the spirit of rustlings: grade on every save,
# the exercise to do now, a hint, and a fresh start for one exercise.
#
#   make watch [EX=NAME]       grade again on every save (watch.sh)
#   make next                  the first exercise that does not pass
#   make hint [EX=NAME]        what an exercise asks, where to read, and
#                              its hints one level at a time (hint.sh);
#                              LEVEL=N shows them up to N
#   make reset EX=NAME         the stub again from git; your file is kept
#                              in build/backup/ first
LEARNER_ENV = $(GRADE_ENV) EX='$(GRADE_EX)' SRC='$(GRADE_SRC)'
HINT_LEVEL := $(if $(filter command line,$(origin LEVEL)),$(LEVEL))

.PHONY: watch next hint reset test-learner

watch: deps lib-san
	@$(LEARNER_ENV) bash tests/grade/watch.sh

next: deps lib-san
	@$(LEARNER_ENV) bash tests/grade/next.sh

hint:
	@$(LEARNER_ENV) LEVEL='$(HINT_LEVEL)' bash tests/grade/hint.sh

reset:
	@$(LEARNER_ENV) bash tests/grade/reset.sh

# Part of make test: hints unfold, watch ends with its terminal, clangd
# finds lib/ through compile_commands.json (learner_test.sh).
test-learner: deps lib-san
	@BUILD='$(BUILD)' bash tests/grade/learner_test.sh

# For the learner's editor: the compilation database clangd reads, from
# the workbook's real compile lines, so that an exercise's "aw.h" is
# lib/aw.h. Written to $(BUILD)/compile_commands.json, where clangd looks
# by itself (the top level keeps its fixed entries only).
.PHONY: compile_commands.json
compile_commands.json:
	@CC='$(CC)' CFLAGS_STRICT='$(CFLAGS_STRICT)' SAN_FLAGS='$(SAN_FLAGS)' \
	  URING_CFLAGS='$(URING_CFLAGS)' BUILD='$(BUILD)' bash tests/grade/compile_commands.sh
