# A segment whose creator never initialised it: the message says whether
# the creator is still there, and when the segment is safe to remove.
session bash build/bin
K=0x5eed0053
line "../test/shm-tool create $K 16 zero 5 &"
await '^[0-9]+$'
line "./03-sysv-shm --key $K --peek; echo \"exit status \$?\""
line "wait"
line "./03-sysv-shm --key $K --peek; echo \"exit status \$?\""
line "ipcrm -M $K"
