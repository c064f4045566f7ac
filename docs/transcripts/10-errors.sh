# A bad command line: exit status 2, the argument named, nothing run.
session bash build/bin
line './10-ipc-bench --only pipe,fifo; echo "exit status $?"'
line './10-ipc-bench --cpus 0; echo "exit status $?"'
