# Cleaning up by hand: ipcrm while a copy runs. The removed segment loses
# its key in ipcs -m, so it is found by its shmid.
session bash build/bin
K=0x5eed0043
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=1$'
line "id=\$(ipcs -m | awk '\$1 == \"$K\" { print \$2 }')"
line "ipcrm -M $K"
await 'was removed'
line "ipcs -m | grep -e shmid -e $K"
line "ipcs -m | grep -w -e shmid -e \"\$id\""
line "kill -INT %1"
await '^left '
line "ipcs -m | grep -w -e shmid -e \"\$id\""
