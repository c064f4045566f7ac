# The crash lesson: a killed copy never leaves; nattch tells the truth.
K=0x5eed0023
t_bg "./03-sysv-shm --key $K --quiet &" "./03-sysv-shm --key $K --quiet" '^joined'
t_bg "./03-sysv-shm --key $K --quiet &" "./03-sysv-shm --key $K --quiet" '^joined'
t_run "./03-sysv-shm --key $K --hold 0 --crash"
t_run "./03-sysv-shm --key $K --peek"
t_expect 1 'nattch=2'
t_expect 2 'nattch=2'
t_stop 1 INT "kill -INT %1"
t_stop 2 INT "kill -INT %2"
t_run "./03-sysv-shm --key $K --peek"
t_run "./03-sysv-shm --key $K --hold 0"
