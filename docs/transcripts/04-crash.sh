# A crash: the killed copy never leaves; the last copy that maps the object
# removes it all the same; when every copy was killed, the object stays
# until the next copy finds itself alone.
session bash build/bin
N=/shm-suite-04-tx3
line "./04-posix-shm --name $N --quiet &"
await '^joined .* instances=1$'
line "./04-posix-shm --name $N --quiet &"
await '^joined .* instances=2$'
line "./04-posix-shm --name $N --hold 0 --crash; echo \"exit status \$?\""
line "kill -INT %1"
await '^left .* instances=2$'
line "kill -INT %2"
await '^left .* instances=0$'
line "ls /dev/shm$N"
line "./04-posix-shm --name $N --hold 0 --crash"
line "./04-posix-shm --name $N --peek"
line "./04-posix-shm --name $N --hold 0"
