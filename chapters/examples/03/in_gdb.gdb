break inspect
run
aw tasks
aw bt 5
