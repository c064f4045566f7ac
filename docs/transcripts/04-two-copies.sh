# Two copies, a peek, and the system's views of the object: the file in
# /dev/shm, and the line in a copy's memory map.
session bash build/bin
N=/shm-suite-04-tx2
line "./04-posix-shm --name $N --quiet &"
await '^joined .* instances=1$'
line "./04-posix-shm --name $N --quiet &"
await '^joined .* instances=2$'
line "./04-posix-shm --name $N --peek"
line "stat -c '%n: %s bytes, mode %a' /dev/shm$N"
line "awk '/shm-suite-04-tx2/ { print \$2, \$6 }' /proc/\$!/maps"
line "kill -INT %1"
await '^left .* instances=1$'
line "kill -INT %2"
await '^left .* instances=0$'
line "ls /dev/shm$N"
