# The minimal version of demo 01 in one Windows console: a copy in the
# background, another for a second, and the clang build, another file.
session cmd build/win64
line 'start /b 01-data-seg-minimal.exe --hold 4 <nul'
await '^joined .* instances=1$'
line '01-data-seg-minimal.exe --hold 1'
await '^now instances=1$'
line '01-data-seg-minimal-clang.exe --hold 0'
line 'ping -n 5 127.0.0.1 >nul'
await '^left ' 3
