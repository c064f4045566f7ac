# Two different programs counting together through one DLL.
session cmd build/win64
line 'start /b 01-dll-client-one.exe --quiet --hold 6 <nul'
await '^joined .* instances=1$'
line '01-dll-client-two.exe --hold 0'
line '01-dll-client-two.exe --peek'
line 'ping -n 7 127.0.0.1 >nul'
await '^left ' 2
