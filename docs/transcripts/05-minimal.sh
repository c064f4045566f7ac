# The minimal version: two copies, the first prints each change. The
# count is in an ordinary file in the current folder, which stays after
# the last copy has left, holding 0.
session bash build/bin
F=shm-suite-05-minimal.count
if [ -e "$LAB/build/bin/$F" ]; then
    echo "docs.sh: transcript $name: $F is in the way in the lab" >&2
    exit 1
fi
line "./05-mmap-file-minimal &"
await '^joined .* instances=1$'
line "./05-mmap-file-minimal &"
await '^joined .* instances=2$'
await '^now instances=2$'
line "od -A d -t d4 $F"
line "kill -INT %2"
await '^left .* instances=1$'
await '^now instances=1$'
line "kill -INT %1"
await '^left .* instances=0$'
line "stat -c '%A %s bytes' $F"
line "od -A d -t d4 $F"
line "rm $F"
