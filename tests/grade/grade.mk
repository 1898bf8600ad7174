# tests/grade/grade.mk - make grade, make grade-list, make grade-prove.
# Included by the top-level Makefile; paths are from the repository root.
#
#   make grade                 grade every exercise, in exercises/LIST order
#   make grade EX=NAME         grade one (NAME as in the list, or its number)
#   make grade SRC=DIR         grade another copy laid out like exercises/
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
            LIBAW='$(BUILD)/lib-san/libaw.a'

.PHONY: grade grade-list grade-prove

grade: deps lib-san
	@$(GRADE_ENV) EX='$(GRADE_EX)' SRC='$(GRADE_SRC)' bash tests/grade/grade.sh

grade-list:
	@bash tests/grade/grade.sh --list

grade-prove: deps lib-san
	@$(GRADE_ENV) bash tests/grade/prove.sh
