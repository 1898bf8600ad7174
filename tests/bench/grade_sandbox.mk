# tests/bench/grade_sandbox.mk - the cost of the grader's sandbox: every
# solution graded with the sandbox and without it (GRADE_SANDBOX=off),
# taking turns, and the ratio (issue 9's target: at most 1.3x). A few
# minutes; BENCH_GRADE_RUNS=N rounds (default 1).

BENCHMARKS += bench-grade-sandbox

.PHONY: bench-grade-sandbox
bench-grade-sandbox: lib-san
	@mkdir -p $(BENCH_ROWS)
	@$(GRADE_ENV) bash tests/bench/grade_sandbox.sh $(BENCH_DIR)/grade-sandbox \
	  $(BENCH_ROWS)/grade-sandbox.json
