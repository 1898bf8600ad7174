# tests/gdb/gdb.mk - make test-gdb: lib/aw-gdb.py, in gdb's batch mode, on
# chapter 3's example in_gdb (part of make test).
.PHONY: test-gdb
test-gdb: $(BUILD)/examples/03/in_gdb
	@BUILD='$(BUILD)' bash tests/gdb/run.sh $(BUILD)/examples/03/in_gdb
