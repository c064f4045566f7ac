# The minimal version trusts whatever sits under its key: here the hardened
# demo's segment, whose first four bytes are its magic number "SHMC". The
# hardened demo checks first, and refuses the minimal's 4-byte segment.
session bash build/bin
K=0x4d494e03
if ipcs -m | grep -q "^$K "; then
    echo "docs.sh: transcript $name: a segment under $K is in the way: ipcrm -M $K" >&2
    exit 1
fi
line "./03-sysv-shm --key $K --quiet &"
await '^joined .* instances=1$'
line "./03-sysv-shm-minimal &"
await '^joined '
line "./03-sysv-shm --key $K --peek"
line "kill -INT %2"
await '^left pid=[0-9]+ instances=1129138259$'
line "kill -INT %1"
await '^left .* instances=0$'
line "./03-sysv-shm-minimal &"
await '^joined .* instances=1$' 2
line "./03-sysv-shm --key $K --hold 0; echo \"exit status \$?\""
line "kill -INT \$!"
await '^left .* instances=0$' 2
