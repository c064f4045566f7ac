# The minimal version's split brain, made to happen at will: hold-rmid.so
# makes the leaving copy's shmctl(IPC_RMID) wait until the file "go"
# exists, so that a newcomer can join in between, as it could by bad luck.
# (The library's source is in tests/minimal.bats; it is built here into
# build/test, beside the other test tools.)
session bash build/bin
K=0x4d494e03
if ipcs -m | grep -q "^$K "; then
    echo "docs.sh: transcript $name: a segment under $K is in the way: ipcrm -M $K" >&2
    exit 1
fi
awk '/hold_rmid\.c" <<.EOF.$/ { on = 1; next } on && /^EOF$/ { exit } on' \
    "$REPO/tests/minimal.bats" >"$work/hold-rmid.c"
cc -shared -fPIC -o "$LAB/build/test/hold-rmid.so" "$work/hold-rmid.c"
line "LD_PRELOAD=../test/hold-rmid.so HOLD_RMID_UNTIL=go ./03-sysv-shm-minimal &"
await '^joined .* instances=1$'
line "kill -INT %1"
await '^hold-rmid: holding IPC_RMID$'
line "./03-sysv-shm-minimal &"
await '^joined .* instances=1$' 2
line "touch go; wait %1"
await '^left .* instances=0$'
line "./03-sysv-shm-minimal &"
await '^joined .* instances=1$' 3
line "ipcs -m | grep -e shmid -e $K"
line "kill -INT %2"
await '^left .* instances=0$' 2
line "kill -INT %3"
await '^left .* instances=0$' 3
line "rm go"
