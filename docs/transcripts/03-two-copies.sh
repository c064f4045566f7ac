# Two copies in the background, a peek, and the kernel's own views of the
# segment: ipcs, /proc/sysvipc/shm and the last copy's memory map.
session bash build/bin
K=0x5eed0003
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=1$'
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=2$'
line "./03-sysv-shm --key $K --peek"
line "ipcs -m | grep -e shmid -e $K"
line "id=\$(ipcs -m | awk '\$1 == \"$K\" { print \$2 }')"
line "ipcs -m -p | grep -w -e shmid -e \"\$id\""
line "grep -w -e key -e \"\$id\" /proc/sysvipc/shm"
line "grep SYSV /proc/\$!/maps"
line "kill -INT %1"
await '^left .* instances=1$'
line "kill -INT %2"
await '^left .* instances=0$'
line "ipcs -m | grep -e shmid -e $K"
