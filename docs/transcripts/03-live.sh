# The live loop: the first copy prints a line each time the count changes.
K=0x5eed0013
t_bg "./03-sysv-shm --key $K &" "./03-sysv-shm --key $K" '^joined'
t_bg "./03-sysv-shm --key $K --hold 2 &" "./03-sysv-shm --key $K --hold 2" '^joined'
t_expect 1 '^now instances=2$'
t_end 2 "wait %2"
t_expect 1 '^now instances=1$'
t_stop 1 INT "kill -INT %1"
