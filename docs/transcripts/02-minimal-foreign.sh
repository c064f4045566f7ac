# The minimal version of demo 02 trusts whatever holds its name: here the
# hardened demo's mapping, whose first four bytes are its magic number. The
# hardened demo checks first, and refuses the minimal's mapping.
session cmd build/win64
N=shm-suite-02-minimal
line "start /b 02-file-mapping.exe --name $N --quiet --hold 3 <nul"
await '^joined .* instances=1$'
line '02-file-mapping-minimal.exe --hold 0'
line 'ping -n 4 127.0.0.1 >nul'
await '^left .* instances=0$'
line 'start /b 02-file-mapping-minimal.exe --hold 3 <nul'
await '^joined .* instances=1$' 2
line "02-file-mapping.exe --name $N --hold 0"
line 'echo exit code %errorlevel%'
line 'ping -n 4 127.0.0.1 >nul'
await '^left .* instances=0$' 2
