# Demo 08 on Windows: a copy that ends by TerminateProcess (--crash) never
# leaves, and the count is right at once all the same.
session cmd build/win64
N=shm-suite-08-tx
line "start /b 08-job-count.exe --name $N --quiet --hold 4 <nul"
await '^joined .* instances=1$'
line "08-job-count-clang.exe --name $N --hold 0 --crash"
line 'echo exit code %errorlevel%'
line "08-job-count.exe --name $N --peek"
line 'ping -n 5 127.0.0.1 >nul'
await '^left '
