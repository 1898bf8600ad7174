# tests/grade/mutants.mk - proof that the graders reject wrong solutions,
# and that the real-time graders hold on a busy machine. Included by the
# top-level Makefile after grade.mk (it uses GRADE_ENV and GRADE_EX).
#
#   make grade-mutants [EX=NAME]   every mutant of tests/NAME.mutants/ must
#                                  fail its grader (mutants.sh)
#   make grade-stress [EX=NAME]    the real-time graders, 5 times each on
#                                  the solutions beside a CPU hog (stress.sh)

.PHONY: grade-mutants grade-stress

grade-mutants: deps lib-san
	@$(GRADE_ENV) EX='$(GRADE_EX)' bash tests/grade/mutants.sh

grade-stress: deps lib-san
	@$(GRADE_ENV) EX='$(GRADE_EX)' bash tests/grade/stress.sh
