# A bad name, and objects that are not ours: each refused, left as it was.
session bash build/bin
N=/shm-suite-04-tx4
line "./04-posix-shm --name shm-suite-04-tx4; echo \"exit status \$?\""
line "printf 'not a counter, not ours' >/dev/shm$N; cksum /dev/shm$N"
line "./04-posix-shm --name $N; echo \"exit status \$?\""
line "cksum /dev/shm$N"
line ": >/dev/shm$N"
line "./04-posix-shm --name $N --peek; echo \"exit status \$?\""
line "rm /dev/shm$N"
