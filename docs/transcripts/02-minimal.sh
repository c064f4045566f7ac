# The minimal version of demo 02 in one Windows console: the MinGW and the
# clang builds open the same name, so they count together.
session cmd build/win64
line 'start /b 02-file-mapping-minimal.exe --hold 4 <nul'
await '^joined .* instances=1$'
line '02-file-mapping-minimal-clang.exe --hold 1'
await '^now instances=1$'
line 'ping -n 5 127.0.0.1 >nul'
await '^left .* instances=0$'
line '02-file-mapping-minimal.exe --hold 0'
