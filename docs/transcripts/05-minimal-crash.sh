# The minimal version and a crash: the killed copy's 1 stays in the file,
# after every copy has gone, and would stay across a reboot.
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
line "kill -KILL %2; wait %2"
line "kill -INT %1"
await '^left .* instances=1$'
line "od -A d -t d4 $F"
line "./05-mmap-file-minimal &"
await '^joined .* instances=2$'
line "kill -INT \$!"
await '^left .* instances=1$' 2
line "rm $F"
