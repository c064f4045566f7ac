# On one CPU: the note on standard error, then the run goes on (the table,
# whose numbers change from run to run, is left out here).
session bash build/bin
line 'taskset -c 0 ./10-ipc-bench --quick --only shm-spin,pipe >/dev/null; echo "exit status $?"'
