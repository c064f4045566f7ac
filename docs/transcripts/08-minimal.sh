# The minimal version: a copy killed with SIGKILL drops out of the count at
# once, by the kernel's undo; the set stays after the last copy, holding 0.
session bash build/bin
K=0x4d494e08
if ipcs -s | grep -q "^$K "; then
    echo "docs.sh: transcript $name: a semaphore set under $K is in the way: ipcrm -S $K" >&2
    exit 1
fi
line "./08-sem-undo-minimal &"
await '^joined .* instances=1$'
line "./08-sem-undo-minimal &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "kill -KILL %2; wait %2"
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
line "ipcs -s | grep -e semid -e $K"
line "ipcrm -S $K"
