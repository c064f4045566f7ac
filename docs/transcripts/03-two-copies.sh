# Two copies in the background, a peek, the kernel's own view, then both leave.
# (Sourced by scripts/docs.sh, which defines the t_* functions.)
K=0x5eed0003
t_bg "./03-sysv-shm --key $K --quiet &" "./03-sysv-shm --key $K --quiet" '^joined'
t_bg "./03-sysv-shm --key $K --quiet &" "./03-sysv-shm --key $K --quiet" '^joined'
t_run "./03-sysv-shm --key $K --peek"
t_run "ipcs -m | grep -e shmid -e $K"
t_stop 1 INT "kill -INT %1"
t_stop 2 INT "kill -INT %2"
t_run "ipcs -m | grep -e shmid -e $K"
