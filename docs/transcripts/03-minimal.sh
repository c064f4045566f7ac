# The minimal version: two copies, the first prints each change, and the
# kernel's view of the segment. Its key is fixed: nothing may be under it.
session bash build/bin
K=0x4d494e03
if ipcs -m | grep -q "^$K "; then
    echo "docs.sh: transcript $name: a segment under $K is in the way: ipcrm -M $K" >&2
    exit 1
fi
line "./03-sysv-shm-minimal &"
await '^joined .* instances=1$'
line "./03-sysv-shm-minimal &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "ipcs -m | grep -e shmid -e $K"
line "kill -INT %2"
await '^left .* instances=1$'
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
line "ipcs -m | grep -e shmid -e $K"
