# Two copies of the hardened demo on one file: a peek with the mappers,
# the file's bytes while they run, and the mapping in /proc (rw-s: s for
# shared). The file stays, holding 0.
session bash build/bin
line "./05-mmap-file --file lab.count --quiet &"
await '^joined .* instances=1$'
line "./05-mmap-file --file lab.count --quiet &"
await '^joined .* instances=2$'
line "./05-mmap-file --file lab.count --peek"
line "od -A d -t x4 lab.count"
line "grep lab.count /proc/\$!/maps | cut -d' ' -f2"
line "kill -INT %1"
await '^left .* instances=1$'
line "kill -INT %2"
await '^left .* instances=0$'
line "./05-mmap-file --file lab.count --peek"
line "stat -c '%A %s bytes' lab.count"
line "rm lab.count"
