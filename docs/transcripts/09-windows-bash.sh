# The Windows program under Wine, from bash: the same four fixes, fewer
# loops (Wine takes every mutex and semaphore operation to its server).
session bash build/win64
line "wine 09-lost-updates.exe --workers 4 --loops 10000 --method atomic --method lock --method semaphore --method batched | tr -d '\\r' | sed 's/ seconds=.*//'"
line 'wine 09-lost-updates.exe --method fast; echo "exit status $?"'
