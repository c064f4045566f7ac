# The launcher, on the Linux demo and on a Windows demo under Wine.
session bash .
line 'scripts/launch.sh -n 5 -- build/bin/03-sysv-shm --key 0x5eed0101'
line 'scripts/launch.sh -n 3 --hold 2 -- build/win64/02-file-mapping.exe --name demo'
