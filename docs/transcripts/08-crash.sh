# The crash lesson, turned round: a copy that crashes, or is killed, drops
# out of the count at once; sempid names it; the last copy out removes the
# set.
session bash build/bin
K=0x5eed0801
line "./08-sem-undo --key $K --quiet &"
await '^joined .* instances=1$'
line "./08-sem-undo --key $K --quiet &"
await '^joined .* instances=2$'
line "./08-sem-undo --key $K --hold 0 --crash; echo \"exit status \$?\""
await '^exit status'
line "./08-sem-undo --key $K --peek"
line "kill -KILL %2; wait %2"
line "./08-sem-undo --key $K --peek"
line "ipcs -s | grep -e semid -e $K"
line "kill -INT %1"
await '^left .* instances=0$'
line "ipcs -s | grep -e semid -e $K"
