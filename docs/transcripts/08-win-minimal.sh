# The minimal version of demo 08 on Windows, in one console: the MinGW and
# the clang builds open the same job, so they count together.
session cmd build/win64
line 'start /b 08-job-count-minimal.exe --hold 4 <nul'
await '^joined .* instances=1$'
line '08-job-count-minimal-clang.exe --hold 1'
await '^now instances=1$'
line 'ping -n 5 127.0.0.1 >nul'
await '^left .* instances=0$'
line '08-job-count-minimal.exe --hold 0'
