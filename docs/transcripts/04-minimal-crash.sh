# The minimal version and a crash: the killed copy's 1 stays in the object,
# and the object stays after every copy has gone.
session bash build/bin
N=/shm-suite-04-tx1
line "./04-posix-shm-minimal $N &"
await '^joined .* instances=1$'
line "./04-posix-shm-minimal $N &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "kill -KILL %2; wait %2"
line "kill -INT %1"
await '^left .* instances=1$'
line "stat -c '%n: %s bytes, mode %a' /dev/shm$N"
line "./04-posix-shm-minimal $N &"
await '^joined .* instances=2$'
line "kill -INT \$!"
await '^left .* instances=1$' 2
line "rm /dev/shm$N"
