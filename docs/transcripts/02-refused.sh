# What demo 02 refuses: a squatter's 4-byte file-backed mapping under the
# name, and a name that another file backs.
session cmd build/win64
line 'start /b ..\test\mapping-tool.exe lab 4 garbage 5 --file small.bin <nul'
await '^ready$'
line '02-file-mapping.exe --name lab --hold 0'
line 'echo exit code %errorlevel%'
line 'ping -n 6 127.0.0.1 >nul'
await 'changed$'
line 'del small.bin'
line 'start /b 02-file-mapping.exe --name lab --file a.bin --quiet --hold 5 <nul'
await '^joined .* instances=1$'
line '02-file-mapping.exe --name lab --file b.bin --hold 0'
line 'echo exit code %errorlevel%'
line 'ping -n 6 127.0.0.1 >nul'
await '^left '
line 'del a.bin'
