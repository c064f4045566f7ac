# Two copies sharing Local\lab; another name counts apart.
session cmd build/win64
line 'start /b 02-file-mapping.exe --name lab --quiet --hold 6 <nul'
await '^joined .* instances=1$'
line 'start /b 02-file-mapping.exe --name lab --quiet --hold 8 <nul'
await '^joined .* instances=2$'
line '02-file-mapping.exe --name lab --peek'
line '02-file-mapping.exe --name other --peek'
line 'ping -n 9 127.0.0.1 >nul'
await '^left ' 2
line '02-file-mapping.exe --name lab --peek'
