# The live loop: the first copy prints a line each time the count changes.
session bash build/bin
K=0x5eed0013
line "./03-sysv-shm --key $K &"
await '^joined .* instances=1$'
line "./03-sysv-shm --key $K --hold 2 &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "wait %2"
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
