# rm while a copy runs: the copy notices and goes on counting in its
# object; a new copy makes a new one under the name.
session bash build/bin
N=/shm-suite-04-tx5
line "./04-posix-shm --name $N --quiet &"
await '^joined .* instances=1$'
line "rm /dev/shm$N"
await 'was unlinked'
line "./04-posix-shm --name $N --hold 0"
line "kill -INT %1"
await '^left .* instances=0$'
line "ls /dev/shm$N"
