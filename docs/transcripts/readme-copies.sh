# The README's first session: two copies by hand, a peek, the kernel's view.
# (A key of the transcripts' own, so that no other copy can be counted.)
session bash .
K=0x5eed0100
line "build/bin/03-sysv-shm --key $K --hold 6 --quiet &"
await '^joined .* instances=1$'
line "build/bin/03-sysv-shm --key $K --hold 3 --quiet &"
await '^joined .* instances=2$'
line "build/bin/03-sysv-shm --key $K --peek"
line "ipcs -m | grep -e shmid -e $K"
line 'wait'
