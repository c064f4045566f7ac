# The crash lesson: a killed copy never leaves; nattch tells the truth; the
# last copy still attached removes the segment; when every copy was killed,
# the segment stays until the next copy.
session bash build/bin
K=0x5eed0023
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=1$'
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=2$'
line "./03-sysv-shm --key $K --hold 0 --crash; echo \"exit status \$?\""
await 'nattch=2: 1 copy ended' 2
line "kill -INT %1"
await '^left .* instances=2$'
line "kill -INT %2"
await '^left .* instances=0$'
line "ipcs -m | grep -e shmid -e $K"
line "./03-sysv-shm --key $K --hold 0 --crash"
line "./03-sysv-shm --key $K --peek"
line "./03-sysv-shm --key $K --hold 0"
