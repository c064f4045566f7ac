# When every copy is killed, nobody removes the set: it stays, holding the
# right count, 0, and the next copy uses it and removes it as it leaves.
session bash build/bin
K=0x5eed0802
line "./08-sem-undo --key $K --quiet &"
await '^joined .* instances=1$'
line "./08-sem-undo --key $K --hold 0 --crash"
line "kill -KILL %1; wait %1"
line "ipcs -s | grep -e semid -e $K"
line "./08-sem-undo --key $K --peek"
line "./08-sem-undo --key $K --hold 0"
line "ipcs -s | grep -e semid -e $K"
