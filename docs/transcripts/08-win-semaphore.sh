# Demo 08 on Windows: --semaphore, the counter-example. kill -KILL ends a
# copy as taskkill /f does: the job forgets it at once, the semaphore keeps
# its 1 until the last handle to it closes.
session bash build/win64
N=shm-suite-08-tx
line "wine 08-job-count.exe --name $N --semaphore --quiet --hold 5 </dev/null &"
await '^joined .* instances=1$'
line "wine 08-job-count.exe --name $N --semaphore --quiet </dev/null &"
await '^joined .* instances=2$'
line 'kill -KILL %2; wait %2'
line "wine 08-job-count.exe --name $N --peek"
line "wine 08-job-count.exe --name $N --peek --semaphore"
line 'wait %1'
line "wine 08-job-count.exe --name $N --peek --semaphore"
