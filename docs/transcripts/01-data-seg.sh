# Demo 01 in one Windows console: two copies in the background, a peek, a
# crash, and what is left when every copy has gone.
session cmd build/win64
line 'start /b 01-data-seg.exe --quiet --hold 8 <nul'
await '^joined .* instances=1$'
line 'start /b 01-data-seg.exe --quiet --hold 10 <nul'
await '^joined .* instances=2$'
line '01-data-seg.exe --peek'
line '01-data-seg-clang.exe --peek'
line '01-data-seg.exe --hold 0 --crash'
line 'echo exit code %errorlevel%'
line '01-data-seg.exe --peek'
line 'ping -n 11 127.0.0.1 >nul'
await '^left ' 2
line '01-data-seg.exe --hold 0'
