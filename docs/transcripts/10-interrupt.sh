# Ctrl+C, as SIGINT to the parent, in the middle of sysv-msg: the child is
# stopped, the message queue removed, and the program ends by SIGINT.
session bash build/bin
line './10-ipc-bench --only sysv-msg &'
await '^10-ipc-bench: 1/1 latency sysv-msg$'
line 'kill -INT %1; wait %1; echo "exit status $?"'
