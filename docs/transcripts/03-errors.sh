# What a bad command line and a segment that is not ours get. shm-tool is
# the tests' helper: make test-tools builds it into build/test/.
session bash build/bin
K=0x5eed0033
line "./03-sysv-shm --key 0; echo \"exit status \$?\""
line "../test/shm-tool create $K 8 garbage"
line "./03-sysv-shm --key $K; echo \"exit status \$?\""
line "ipcrm -M $K"
