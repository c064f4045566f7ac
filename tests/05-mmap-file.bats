#!/usr/bin/env bats
# Demo 05, a shared file mapping: counts, crashes and the /proc scan that
# mends them, files that are not ours (refused untouched), another user,
# the command line, and the minimal version. Every test uses its own file
# in its own $BATS_TEST_TMPDIR, never the default path.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup() {
    PROG=$BIN_DIR/05-mmap-file
    MINIMAL=$BIN_DIR/05-mmap-file-minimal
    [ -x "$PROG" ] || fail "build the demo first: make"
    FILE=$BATS_TEST_TMPDIR/lab.count
    # The minimal version's file is in the current folder: the test's own.
    cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
    cleanup_copies
}

# The bytes of a file in hex, one string.
hex_of() {
    od -A n -t x1 -v "$1" | tr -d ' \n'
}

# What a refusal must leave as it was: the bytes, size, mode, owner and
# modification time.
fingerprint() {
    echo "$(sha256sum <"$1") $(stat -c '%s %a %u %Y.%y' "$1")"
}

# Our header (magic SHMC, version 1, size 16) and a count, as the file holds them.
header_with() {
    printf '53484d430100000010000000%s' "$(printf '%08x' $(($1 & 0xffffffff)) | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')"
}

# write_hex FILE HEX: write these bytes, given in hex, to FILE.
write_hex() {
    local hex=$2 bytes=""
    while [ -n "$hex" ]; do
        bytes+="\\x${hex:0:2}"
        hex=${hex:2}
    done
    # shellcheck disable=SC2059 # the format is the bytes, as \xNN escapes
    printf "$bytes" >"$1"
}

# make_counter FILE COUNT: a counter file as the demo makes it, holding COUNT.
make_counter() {
    write_hex "$1" "$(header_with "$2")"
    chmod 600 "$1"
}

# The file after every copy has left: 16 bytes, mode 0600, holding 0, and
# no temporary file beside it.
assert_holds_zero() {
    assert_equal "$(hex_of "$FILE")" "$(header_with 0)"
    assert_equal "$(stat -c '%s %a' "$FILE")" "16 600"
    run compgen -G "$FILE.init-*"
    assert_output ""
}

# Start N copies at once on a file that does not exist yet, check every
# peek says N, stop them, check 0.
count_together() {
    local n=$1 i
    for ((i = 1; i <= n; i++)); do start_copy "c$i" "$PROG" --file "$FILE" --quiet; done
    for ((i = 1; i <= n; i++)); do wait_for_line "c$i" '^joined '; done
    run "$PROG" --peek --file "$FILE"
    assert_success
    assert_output "instances=$n mappers=$n"
    for ((i = 1; i <= n; i++)); do kill -INT "$(pid_of "c$i")"; done
    for ((i = 1; i <= n; i++)); do
        assert_exit "c$i" 0
        output_of "c$i" | grep -Eq '^left pid=[0-9]+ instances=[0-9]+$' || fail "copy $i printed no left line"
    done
    # Exactly one copy left the count at 0.
    [ "$(cat "$BATS_TEST_TMPDIR"/c*.out | grep -c '^left .* instances=0$')" -eq 1 ]
    # The join lines name the counts 1 to N, each exactly once: no update
    # lost, and every copy counted in the same file (one creator won).
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs"
    assert_output "$(seq -s ' ' 1 "$n")"
    run cat "$BATS_TEST_TMPDIR"/c*.err
    assert_output ""
    run "$PROG" --peek --file "$FILE"
    assert_output "instances=0 mappers=0"
    assert_holds_zero
}

@test "1 copy counts 1, and the file holds 0 after it leaves" {
    count_together 1
}

@test "3 copies started at once count 3, and the file holds 0 after they leave" {
    count_together 3
}

@test "20 copies started at once on a missing file: one creator, a count of 20, then 0" {
    count_together 20
}

@test "200 copies through launch.sh count together, and leave the file holding 0 with nothing beside it" {
    run "$LAUNCH" -n 200 -- "$PROG" --file "$FILE"
    assert_success
    assert_line "  joined           200 of 200 (their join lines said instances=1 to 200)   ok"
    assert_line "  peek, running    instances=200 mappers=200   ok"
    assert_line "  peek, after      instances=0 mappers=0   ok"
    assert_line "  left behind      $FILE holds 0; no temporary $FILE.init-* beside it   ok"
    assert_line "launch: ok"
    assert_holds_zero
}

@test "a copy with --hold 0 creates the file, mode 0600 whatever the umask, joins as 1 and leaves it holding 0" {
    local mask
    for mask in 0277 0000; do
        rm -f "$FILE"
        run bash -c "umask $mask && '$PROG' --file '$FILE' --hold 0"
        assert_success
        assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
        assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
        [ "${#lines[@]}" -eq 2 ]
        assert_holds_zero
    done
    # Again, in the file that is there now.
    run "$PROG" --file "$FILE" --hold 0
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_holds_zero
}

@test "with no --file, the file is shm-suite-05.count in \$TMPDIR" {
    mkdir "$BATS_TEST_TMPDIR/tmp"
    run env TMPDIR="$BATS_TEST_TMPDIR/tmp" "$PROG" --hold 0
    assert_success
    FILE=$BATS_TEST_TMPDIR/tmp/shm-suite-05.count
    assert_holds_zero
    run env TMPDIR="$BATS_TEST_TMPDIR/tmp" "$PROG" --peek
    assert_output "instances=0 mappers=0"
    run "$PROG" --help
    assert_output --partial "  --file PATH     the file (default shm-suite-05.count in \$TMPDIR or /tmp)"
}

@test "the live loop prints a now line for each change, and --quiet prints none" {
    start_copy watcher "$PROG" --file "$FILE"
    wait_for_line watcher '^joined .* instances=1$'
    start_copy silent "$PROG" --file "$FILE" --quiet
    wait_for_line silent '^joined .* instances=2$'
    wait_for_line watcher '^now instances=2$'
    kill -TERM "$(pid_of silent)"
    wait_for_line watcher '^now instances=1$'
    kill -INT "$(pid_of watcher)"
    assert_exit watcher 0
    assert_exit silent 0
    run output_of watcher
    assert_line --index 1 'now instances=2'
    assert_line --index 2 'now instances=1'
    assert_line --index 3 --regexp '^left pid=[0-9]+ instances=0$'
    run output_of silent
    refute_line --partial 'now '
}

@test "copies joining and leaving in a tight loop lose no update" {
    local workers=4 per_worker=10 w
    worker() {
        local i
        for ((i = 0; i < per_worker; i++)); do
            "$PROG" --file "$FILE" --hold 0 --quiet >>"$BATS_TEST_TMPDIR/worker$1.out" || echo "exit $?" >>"$BATS_TEST_TMPDIR/worker$1.out"
        done
    }
    start_copy witness "$PROG" --file "$FILE" --quiet
    wait_for_line witness '^joined '
    for ((w = 1; w <= workers; w++)); do
        worker "$w" &
        COPY_PIDS+=($!)
    done
    wait "${COPY_PIDS[@]:1}"
    run grep -h '^exit ' "$BATS_TEST_TMPDIR"/worker*.out
    assert_output ""
    run bash -c "cat '$BATS_TEST_TMPDIR'/worker*.out | grep -c '^left '"
    assert_output "$((workers * per_worker))"
    run "$PROG" --peek --file "$FILE"
    assert_output "instances=1 mappers=1"
    kill -INT "$(pid_of witness)"
    assert_exit witness 0
    assert_holds_zero
}

@test "--crash leaves a stale count; peek shows it next to the mappers; the last mapper to leave stores 0" {
    start_copy a "$PROG" --file "$FILE" --quiet
    wait_for_line a '^joined '
    run "$PROG" --file "$FILE" --hold 0 --crash
    assert_equal "$status" 137
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=2$'
    assert_line --index 1 --regexp '^crashing pid=[0-9]+ instances=2$'
    refute_line --partial 'left '
    run --separate-stderr "$PROG" --peek --file "$FILE"
    assert_success
    assert_output "instances=2 mappers=1"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" "note: instances=2 but mappers=1: the count is stale (copies were killed without leaving); the next copy to find itself alone starts again from 0"
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: the stored count 2 was stale: no other process maps $FILE, so the other 1 ended without leaving (killed or crashed); storing 0"
    assert_holds_zero
}

@test "kill -9 of one of three, then stop the other two: the last one mapping the file stores 0 and says why" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --file "$FILE" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    kill -KILL "$(pid_of k2)"
    assert_exit k2 137
    run "$PROG" --peek --file "$FILE"
    assert_line --index 0 "instances=3 mappers=2"
    kill -INT "$(pid_of k1)"
    assert_exit k1 0
    run output_of k1
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=2$' # k3 still maps it: only its own one
    run cat "$BATS_TEST_TMPDIR/k1.err"
    assert_output ""
    kill -INT "$(pid_of k3)"
    assert_exit k3 0
    run output_of k3
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run cat "$BATS_TEST_TMPDIR/k3.err"
    assert_output "note: the stored count 2 was stale: no other process maps $FILE, so the other 1 ended without leaving (killed or crashed); storing 0"
    assert_holds_zero
}

@test "kill -9 of every copy: the file keeps the stale count until the next copy finds itself alone" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --file "$FILE" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    kill -KILL "$(pid_of k1)" "$(pid_of k2)" "$(pid_of k3)"
    for i in 1 2 3; do assert_exit "k$i" 137; done
    assert_equal "$(hex_of "$FILE")" "$(header_with 3)"
    run "$PROG" --peek --file "$FILE"
    assert_success
    assert_output "instances=3 mappers=0
note: instances=3 but mappers=0: the count is stale (copies were killed without leaving); the next copy to find itself alone starts again from 0"
    run "$PROG" --file "$FILE" --hold 0
    assert_success
    assert_line --index 0 "note: the stored count 3 was stale: no other process maps $FILE (copies were killed without leaving); starting again from 0"
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 3 ]
    assert_holds_zero
}

@test "a copy joins only under the file's lock: it waits while another process holds it, and goes on when the holder is killed" {
    command -v python3 >/dev/null || skip "needs python3 to hold a POSIX record lock"
    make_counter "$FILE" 0
    # fcntl.lockf takes an fcntl(F_SETLKW) write lock on the whole file,
    # the kind the demo takes (flock(1) would take another, unrelated kind).
    start_copy holder python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)' "$FILE"
    wait_for_line holder '^locked$'
    start_copy waiter "$PROG" --file "$FILE" --hold 0
    sleep 1
    kill -0 "$(pid_of waiter)" || fail "the copy did not wait for the lock: $(output_of waiter)"
    run output_of waiter
    assert_output ""
    kill -KILL "$(pid_of holder)" # the kernel drops a killed process's lock
    assert_exit holder 137
    assert_exit waiter 0
    run output_of waiter
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    assert_holds_zero
}

@test "a file removed while copies run: they keep counting in it and say so; the next copy starts a new file" {
    start_copy a "$PROG" --file "$FILE" --quiet
    wait_for_line a '^joined .* instances=1$'
    rm "$FILE"
    timeout 30 bash -c "until [ -s '$BATS_TEST_TMPDIR/a.err' ]; do sleep 0.05; done"
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: $FILE was removed or replaced (rm? mv?): this copy goes on counting in the file it opened, but copies started from now on will count in another"
    run "$PROG" --file "$FILE" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$' # a new file: split brain
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    assert_holds_zero
}

@test "a file full of garbage is refused with exit 1 and left untouched, by a copy and by a peek" {
    local before
    head -c 64 /dev/urandom >"$FILE"
    printf '\x01\x02\x03\x04' | dd of="$FILE" conv=notrunc status=none # a known wrong magic
    before=$(fingerprint "$FILE")
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: $FILE is not one of our counter files: wrong magic 0x04030201 (ours is 0x434d4853). It was left untouched; use another --file, or if the file is yours to remove: rm $FILE"
    run "$PROG" --peek --file "$FILE"
    assert_equal "$status" 1
    assert_output --partial "wrong magic 0x04030201"
    assert_equal "$(fingerprint "$FILE")" "$before"
}

@test "a file shorter than the header, or empty, is refused untouched, never mapped (no SIGBUS)" {
    local size before
    for size in 8 0; do
        head -c "$size" /dev/urandom >"$FILE"
        before=$(fingerprint "$FILE")
        run "$PROG" --file "$FILE" --hold 0
        assert_equal "$status" 1
        assert_output "05-mmap-file: $FILE is not one of our counter files: it is $size bytes, smaller than the 16 the counter needs. It was left untouched; use another --file, or if the file is yours to remove: rm $FILE"
        run "$PROG" --peek --file "$FILE"
        assert_equal "$status" 1
        assert_equal "$(fingerprint "$FILE")" "$before"
    done
}

@test "a damaged count is refused untouched, and so is another version of the layout" {
    local before
    make_counter "$FILE" -7
    before=$(fingerprint "$FILE")
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: $FILE holds one of our counters, but it is damaged: impossible count -7. It was left untouched; once no copy is using it (05-mmap-file --peek --file $FILE says mappers=0), remove it with: rm $FILE"
    assert_equal "$(fingerprint "$FILE")" "$before"
    write_hex "$FILE" 53484d43020000001000000000000000
    before=$(fingerprint "$FILE")
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counter files: layout version 2 (this program knows 1)"
    assert_equal "$(fingerprint "$FILE")" "$before"
}

@test "a directory under the name is refused with exit 1, by a copy and by a peek" {
    mkdir "$FILE"
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: $FILE is not one of our counter files: it is a directory. It was left untouched; use another --file, or if the file is yours to remove: rm $FILE"
    run "$PROG" --peek --file "$FILE"
    assert_equal "$status" 1
    assert_output --partial "it is a directory"
    run ls -A "$FILE"
    assert_output ""
}

@test "a FIFO under the name is refused with exit 1, by a copy and by a peek, which never wait for a writer" {
    mkfifo "$FILE"
    # timeout -s KILL: a copy blocks the stop signals, so a hung open would
    # ignore timeout's SIGTERM and hang the suite.
    run timeout -s KILL 60 "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: $FILE is not one of our counter files: it is not a regular file (a device, a pipe or a socket). It was left untouched; use another --file, or if the file is yours to remove: rm $FILE"
    run timeout -s KILL 60 "$PROG" --peek --file "$FILE"
    assert_equal "$status" 1
    assert_output --partial "it is not a regular file"
    [ -p "$FILE" ]
}

@test "a symbolic link under the name is refused, not followed: neither the file it points to nor a missing one is touched" {
    local target=$BATS_TEST_TMPDIR/target before message
    make_counter "$target" 0
    before=$(fingerprint "$target")
    ln -s "$target" "$FILE"
    message="05-mmap-file: $FILE is a symbolic link, and this program opens only a file itself (O_NOFOLLOW): in a folder that others may write, such as /tmp, anyone can plant a link there that points at a file of yours. It was left untouched; name the file it points to with --file, or remove the link: rm $FILE"
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "$message"
    run "$PROG" --peek --file "$FILE"
    assert_equal "$status" 1
    assert_output "$message"
    assert_equal "$(fingerprint "$target")" "$before"
    # A dangling link: open(O_CREAT) would create the file it names.
    rm "$FILE" "$target"
    ln -s "$target" "$FILE"
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "$message"
    [ ! -e "$target" ] || fail "the link was followed: $target was created"
    run compgen -G "$FILE.init-*"
    assert_output ""
}

@test "a file that belongs to another user is refused untouched, even when its mode lets us in" {
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to give a file to nobody"; fi
    local before
    make_counter "$FILE" 0
    chmod 666 "$FILE"
    chown nobody "$FILE"
    before=$(fingerprint "$FILE")
    run "$PROG" --file "$FILE" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: $FILE is not one of our counter files: it belongs to uid 65534 (nobody), not to this user, and in a folder that others may write (such as /tmp) anyone may put a file under the name first. It was left untouched; use another --file"
    run "$PROG" --peek --file "$FILE"
    assert_equal "$status" 1
    assert_equal "$(fingerprint "$FILE")" "$before"
}

@test "the file is mode 0600, owned by its creator; another user gets EACCES, explained" {
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to run a command as nobody"; fi
    local lab=$BATS_TEST_TMPDIR/lab before
    mkdir "$lab"
    chmod 1777 "$lab" # like /tmp: everyone may write, the sticky bit protects names
    cp "$PROG" "$lab/"
    start_copy owner "$PROG" --file "$lab/count" --quiet
    wait_for_line owner '^joined '
    assert_equal "$(stat -c '%a %U' "$lab/count")" "600 $(id -un)"
    before=$(fingerprint "$lab/count")
    # From inside the folder, by a relative name: the folders above it, the
    # test's own, need not let nobody in, and only the file's mode decides.
    run bash -c "cd '$lab' && setpriv --reuid=nobody --regid=nogroup --clear-groups ./05-mmap-file --file count --hold 0"
    assert_equal "$status" 1
    assert_output "05-mmap-file: open(count): EACCES (Permission denied): the file belongs to uid 0 (root) and has mode 0600, which does not let this user open it to read and write; use a --file of your own"
    run bash -c "cd '$lab' && setpriv --reuid=nobody --regid=nogroup --clear-groups ./05-mmap-file --file count --peek"
    assert_equal "$status" 1
    assert_output "05-mmap-file: open(count): EACCES (Permission denied): the file belongs to uid 0 (root) and has mode 0600, which does not let this user open it to read; use a --file of your own"
    assert_equal "$(fingerprint "$lab/count")" "$before"
    run "$PROG" --peek --file "$lab/count"
    assert_output "instances=1 mappers=1"
    kill -INT "$(pid_of owner)"
    assert_exit owner 0
    # A folder that nobody may write: no file can be made there.
    mkdir -m 755 "$lab/closed"
    run bash -c "cd '$lab/closed' && setpriv --reuid=nobody --regid=nogroup --clear-groups ../05-mmap-file --file count --hold 0"
    assert_equal "$status" 1
    assert_output "05-mmap-file: mkstemp(count.init-XXXXXX): EACCES (Permission denied): this user may not create files in ."
    run ls -A "$lab/closed"
    assert_output ""
}

@test "a folder that does not exist is a failure, exit 1, not a bad command line; a peek there counts 0" {
    run "$PROG" --file "$BATS_TEST_TMPDIR/no/such/folder/count" --hold 0
    assert_equal "$status" 1
    assert_output "05-mmap-file: mkstemp($BATS_TEST_TMPDIR/no/such/folder/count.init-XXXXXX): ENOENT (No such file or directory): there is no folder $BATS_TEST_TMPDIR/no/such/folder"
    run "$PROG" --peek --file "$BATS_TEST_TMPDIR/no/such/folder/count"
    assert_success
    assert_output "instances=0 mappers=0"
    [ ! -e "$BATS_TEST_TMPDIR/no" ]
}

@test "every bad command line exits 2, names the argument and creates nothing" {
    local args long
    long=$BATS_TEST_TMPDIR/$(printf 'x%.0s' {1..4090})
    mkdir "$BATS_TEST_TMPDIR/empty"
    cd "$BATS_TEST_TMPDIR/empty"
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 05-mmap-file"
        run ls -A
        assert_output ""
    done <<EOF
--bogus --file c|unknown option '--bogus'
--file c --hold|option '--hold' needs a value
--file|option '--file' needs a value
--file c --hold abc|--hold: 'abc' is not a whole number
--file c --hold -1|--hold: '-1' is not a whole number
--file=|--file: '' must name a file
--file c/|--file: 'c/' names a folder, not a file in it
--file .|--file: '.' names a folder, not a file in it
--file sub/..|--file: 'sub/..' names a folder, not a file in it
--file c stray|unexpected argument 'stray'
--file c --quiet=yes|option '--quiet' takes no value
--file c --peek --hold 3|--peek cannot be combined with --hold
EOF
    run "$PROG" --file "$long" --hold 0
    assert_equal "$status" 2
    assert_line --index 0 --partial "is too long: with the temporary suffix .init-XXXXXX it would not fit in PATH_MAX bytes"
    run ls -A
    assert_output ""
}

@test "--help prints the usage and exits 0; --peek on a missing file says 0 and creates nothing" {
    run "$PROG" --help
    assert_success
    assert_line --index 0 --partial "count running copies in a file mapped with mmap(MAP_SHARED)"
    assert_output --partial "Peek prints instances=N mappers=M"
    run "$PROG" --peek --file "$FILE"
    assert_success
    assert_output "instances=0 mappers=0"
    [ ! -e "$FILE" ]
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/05-mmap-file "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/05-mmap-file/mmap_file.c")"
    run "$BUILT/05-mmap-file" --file "$FILE" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
}

# ------------------------------------------------------------- minimal ----

# wait_for_lines NAME N: until NAME.out has N complete lines.
wait_for_lines() {
    local deadline=$((SECONDS + 30))
    until [ "$(output_of "$1" | wc -l)" -ge "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $2 lines from $1: $(output_of "$1")"
        sleep 0.02
    done
}

@test "minimal: at most 80 lines after the header, all in one excerpt, nothing of common/, the calls in main in order" {
    local file=$REPO/linux/05-mmap-file/minimal.c n main previous=0 call first
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -n '#include "' "$file"
    assert_output ""
    main=$(grep -n '^int main(' "$file" | cut -d: -f1)
    for call in "open(" "ftruncate(" "mmap(" "atomic_fetch_add(" "atomic_load(" "atomic_fetch_sub(" "munmap(" "close("; do
        first=$(awk -v from="$main" -v c="$call" 'NR > from && index($0, c) { print NR; exit }' "$file")
        [ -n "$first" ] && [ "$first" -ge "$previous" ] || fail "$call is not in main after the call before it"
        previous=$first
    done
}

@test "minimal: 3 copies count 1 to 3 in a 4-byte file of mode 0600; SIGINT and SIGTERM take it back to 0, and it stays" {
    local i
    for i in 1 2 3; do
        start_copy "c$i" "$MINIMAL"
        wait_for_line "c$i" "^joined pid=[0-9]+ instances=$i\$"
        [ "$i" -eq 1 ] || wait_for_line c1 "^now instances=$i\$"
    done
    assert_equal "$(stat -c '%s %a' shm-suite-05-minimal.count)" "4 600"
    kill -INT "$(pid_of c3)"
    assert_exit c3 0
    wait_for_lines c1 4 # now instances=2, once more
    kill -TERM "$(pid_of c2)"
    assert_exit c2 0
    wait_for_lines c1 5
    kill -INT "$(pid_of c1)"
    assert_exit c1 0
    run output_of c1
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=3
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    assert_equal "$(hex_of shm-suite-05-minimal.count)" "00000000"
}

@test "minimal: any argument exits 2 with a usage line on stderr and creates nothing" {
    local arg
    for arg in --peek --file --hold=1 x; do
        run --separate-stderr "$MINIMAL" "$arg"
        assert_equal "$status" 2
        assert_output ""
        assert_equal "$stderr" "usage: $MINIMAL (no options; Ctrl+C or kill -INT leaves)"
        [ ! -e shm-suite-05-minimal.count ]
    done
}

@test "minimal fails: a copy killed with SIGKILL leaves its 1 in the file for good; mmap_file.c mends it" {
    start_copy a "$MINIMAL"
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    start_copy killed "$MINIMAL"
    wait_for_line killed '^joined pid=[0-9]+ instances=2$'
    kill -KILL "$(pid_of killed)"
    assert_exit killed 137
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    start_copy later "$MINIMAL"
    wait_for_line later '^joined pid=[0-9]+ instances=2$' # alone, but counted as 2
    kill -INT "$(pid_of later)"
    assert_exit later 0
    assert_equal "$(hex_of shm-suite-05-minimal.count)" "01000000"
    # The hardened demo, given a file of its own kind in the same state, mends it.
    make_counter "$FILE" 1
    run "$PROG" --file "$FILE" --hold 0
    assert_line --index 0 --partial "note: the stored count 1 was stale"
    assert_holds_zero
}

@test "minimal fails: it counts blindly in a foreign file under its name; mmap_file.c refuses the minimal's" {
    make_counter shm-suite-05-minimal.count 0 # the hardened demo's layout: magic first
    start_copy minimal "$MINIMAL"
    wait_for_line minimal '^joined '
    run output_of minimal
    assert_output --regexp "^joined pid=[0-9]+ instances=$((0x434d4853 + 1))\$"
    run "$PROG" --peek --file shm-suite-05-minimal.count
    assert_equal "$status" 1
    assert_output --partial "is not one of our counter files: wrong magic 0x434d4854"
    kill -INT "$(pid_of minimal)"
    assert_exit minimal 0
    # The other way round, the hardened demo checks first and touches nothing.
    rm shm-suite-05-minimal.count
    start_copy minimal2 "$MINIMAL"
    wait_for_line minimal2 '^joined pid=[0-9]+ instances=1$'
    run "$PROG" --file shm-suite-05-minimal.count --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counter files: it is 4 bytes, smaller than the 16 the counter needs"
    kill -INT "$(pid_of minimal2)"
    assert_exit minimal2 0
    assert_equal "$(hex_of shm-suite-05-minimal.count)" "00000000"
}

@test "minimal fails: O_CREAT follows a symbolic link planted under its name, and makes the file it points to" {
    ln -s "$BATS_TEST_TMPDIR/planted" shm-suite-05-minimal.count
    start_copy minimal "$MINIMAL"
    wait_for_line minimal '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of minimal)"
    assert_exit minimal 0
    [ -f "$BATS_TEST_TMPDIR/planted" ] || fail "the link was not followed"
    assert_equal "$(hex_of "$BATS_TEST_TMPDIR/planted")" "00000000"
    # The hardened demo refuses the same link.
    run "$PROG" --file shm-suite-05-minimal.count --hold 0
    assert_equal "$status" 1
    assert_output --partial "is a symbolic link"
}

@test "minimal: the header comment's one-line command builds it alone, with no warning, with gcc and clang too" {
    local dir=$BATS_TEST_TMPDIR/scratch line cc
    mkdir -p "$dir"
    cp "$REPO/linux/05-mmap-file/minimal.c" "$dir/"
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$dir/minimal.c")
    assert_equal "$line" "cc -std=c11 minimal.c -o 05-mmap-file-minimal"
    for cc in cc gcc clang; do
        run bash -c "cd '$dir' && $cc${line#cc} -Wall -Wextra -Wpedantic 2>&1"
        assert_success
        assert_output ""
    done
    cd "$dir"
    start_copy built ./05-mmap-file-minimal
    wait_for_line built '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of built)"
    assert_exit built 0
    run output_of built
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
}
