# Demo 08 on Windows: three copies, two builds, one job object; the kernel
# counts them, and the job goes with the last one.
session cmd build/win64
N=shm-suite-08-tx
line "start /b 08-job-count.exe --name $N --hold 8 <nul"
await '^joined .* instances=1$'
line "start /b 08-job-count.exe --name $N --quiet --hold 6 <nul"
await '^joined .* instances=2$'
await '^now instances=2$'
line "start /b 08-job-count-clang.exe --name $N --quiet --hold 4 <nul"
await '^joined .* instances=3$'
await '^now instances=3$'
line "08-job-count.exe --name $N --peek"
line 'ping -n 9 127.0.0.1 >nul'
await '^left ' 3
line "08-job-count.exe --name $N --peek"
