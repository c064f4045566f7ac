# The minimal version: two copies, the first prints each change; the object
# is a 4-byte file in /dev/shm, and the last copy out unlinks it.
session bash build/bin
N=/shm-suite-04-tx0
line "./04-posix-shm-minimal $N &"
await '^joined .* instances=1$'
line "./04-posix-shm-minimal $N &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "stat -c '%n: %s bytes, mode %a' /dev/shm$N"
line "kill -INT %2"
await '^left .* instances=1$'
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
line "ls /dev/shm$N"
