# The crash lesson: a killed copy never leaves, the peek sees the count
# above the mappers, and the last process that maps the file stores 0.
# When every copy was killed, the next copy to find itself alone mends it.
session bash build/bin
line "./05-mmap-file --file crash.count --quiet &"
await '^joined .* instances=1$'
line "./05-mmap-file --file crash.count --hold 0 --crash"
line "./05-mmap-file --file crash.count --peek"
line "kill -INT %1"
await '^left .* instances=0$'
line "./05-mmap-file --file crash.count --hold 0 --crash"
line "./05-mmap-file --file crash.count --hold 0"
line "rm crash.count"
