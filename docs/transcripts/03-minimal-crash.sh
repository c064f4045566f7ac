# The minimal version and a crash: the killed copy's 1 stays in the
# segment, and the segment stays after every copy has gone.
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
line "kill -KILL %2; wait %2"
line "ipcs -m | grep -e shmid -e $K"
line "kill -INT %1"
await '^left .* instances=1$'
line "ipcs -m | grep -e shmid -e $K"
line "./03-sysv-shm-minimal &"
await '^joined .* instances=2$' 2
line "kill -INT \$!"
await '^left .* instances=1$' 2
line "ipcrm -M $K"
