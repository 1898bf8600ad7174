bt
aw bt 99
aw bt 2
aw bt
aw bt 3 full
bt
continue
