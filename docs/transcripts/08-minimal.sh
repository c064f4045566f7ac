# The minimal version: a copy killed with SIGKILL drops out of the count at
# once, by the kernel's undo; the set stays after the last copy, holding 0.
# Only the first copy's lines are shown, so that the order is always the
# same: the second copy's own joined line could come before or after the
# first copy's "now instances=2", and the shell's "Killed" before or after
# its "now instances=1" (the first copy looks every 100 ms, on its own).
session bash build/bin
K=0x4d494e08
if ipcs -s | grep -q "^$K "; then
    echo "docs.sh: transcript $name: a semaphore set under $K is in the way: ipcrm -S $K" >&2
    exit 1
fi
line "./08-sem-undo-minimal &"
await '^joined .* instances=1$'
line "./08-sem-undo-minimal >/dev/null &"
await '^now instances=2$'
line "kill -KILL %2; wait %2 2>/dev/null"
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
line "ipcs -s | grep -e semid -e $K"
line "ipcrm -S $K"
