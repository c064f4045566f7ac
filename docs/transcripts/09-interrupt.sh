# Ctrl+C, as SIGINT to the parent: every worker stopped, the semaphore set
# removed, and the program ends by the same signal.
session bash build/bin
line './09-lost-updates --workers 2 --loops 1000000000 --method semaphore &'
line 'sleep 1'
line 'kill -INT %1; wait %1; echo "exit status $?"'
