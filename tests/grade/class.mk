# tests/grade/class.mk - grading a class, and proving the grader holds.
# Included by the top-level Makefile; paths are from the repository root.
#
#   make grade-class DIR=submissions   grade each student's folder
#                              (tests/grade/class.sh): $(BUILD)/class/
#                              gradebook.csv and STUDENT/results.json, .tap
#   make grade-classroom       the points per exercise GitHub Classroom
#                              reads (.github/workflows/classroom.yml)
#   make autograder            $(BUILD)/autograder/autograder.zip for
#                              Gradescope (tests/grade/autograder/)
#   make grade-hostile         every hostile submission of
#                              tests/grade/hostile/ is caught (make test)
#   make grade-class-check     make grade-class on three students: the
#                              solutions, the stubs, one hostile (make test)
#   make autograder-check      the zip in a simulated Gradescope harness,
#                              and the Classroom command (make test)

# python3 runs the hostile suite's process reaper and the JSON checks;
# (the autograder zip is made with its zipfile module).
PKGS_CLASS := python3

CLASS_DIR := $(if $(filter command line,$(origin DIR)),$(DIR))
CLASS_ENV = $(GRADE_ENV) LIBAW='$(BUILD)/lib-san/libaw.a'

.PHONY: deps-class grade-class grade-classroom autograder grade-hostile \
        grade-class-check autograder-check

deps-class:
	$(call install_missing,$(PKGS_CLASS))

grade-class: deps deps-class lib-san
	@$(CLASS_ENV) DIR='$(CLASS_DIR)' bash tests/grade/class.sh

grade-classroom: deps lib-san
	@$(CLASS_ENV) bash tests/grade/autograder/classroom.sh

autograder: deps-class
	@BUILD='$(BUILD)' bash tests/grade/autograder/make_zip.sh

grade-hostile: deps deps-class lib-san
	@$(CLASS_ENV) bash tests/grade/hostile/run.sh

grade-class-check: deps deps-class lib-san
	@$(CLASS_ENV) bash tests/grade/class_check.sh

autograder-check: deps deps-class lib-san
	@$(CLASS_ENV) bash tests/grade/autograder/check.sh
