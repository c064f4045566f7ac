# The kernel's view: in a child's memory map, the shared anonymous page is
# an rw-s mapping of /dev/zero (deleted), the name Linux gives it. SIGTERM
# to the parent alone: it tells the children to leave, last started first.
session bash build/bin
line "./06-mmap-fork --children 2 --quiet &"
await '^joined .* instances=2$'
line "grep -c /dev/zero /proc/\$(pgrep -P \$! | head -n 1)/maps"
line "grep /dev/zero /proc/\$(pgrep -P \$! | head -n 1)/maps | awk '{ print \$2, \$6, \$7 }'"
line "kill -TERM %1; wait"
