# When plain cannot be expected to lose: one worker, or one CPU. The note
# goes to standard error; 2>&1 puts it in the pipe after the result line.
# On one CPU got= and lost= vary from run to run: sed drops them too.
session bash build/bin
line "./09-lost-updates --workers 1 --method plain 2>&1 | sed 's/ seconds=.*//'"
line "taskset -c 0 ./09-lost-updates --method plain 2>&1 | sed 's/ got=.*//'"
