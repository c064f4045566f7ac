# What a bad command line and a segment that is not ours get. shm-tool is
# the tests' helper (make test-tools builds it into build/test/).
K=0x5eed0033
t_run "./03-sysv-shm --key 0; echo \"exit status \$?\""
t_run "./shm-tool create $K 8 garbage >/dev/null"
t_run "./03-sysv-shm --key $K; echo \"exit status \$?\""
t_run "ipcrm -M $K"
