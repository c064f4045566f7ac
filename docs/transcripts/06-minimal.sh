# The minimal version, with one child: SIGTERM to the parent, which passes
# it on.
session bash build/bin
line "./06-mmap-fork-minimal 1 &"
await '^joined .* instances=1$'
line "kill -TERM %1; wait"
