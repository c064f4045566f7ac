# Three copies at once, each counting 1; what readelf says about the
# section, and how the program's pages are mapped (p: private).
session bash build/bin
line "./07-elf-section --quiet &"
await '^joined .* instances=1$'
line "./07-elf-section --quiet &"
await '^joined .* instances=1$' 2
line "./07-elf-section --quiet &"
await '^joined .* instances=1$' 3
line "./07-elf-section --peek 2>&1 | head -n 2"
line "readelf -S -W 07-elf-section | grep -e Name -e '\\.shared'"
line "readelf -l -W 07-elf-section | grep -e 'LOAD .* RW ' -e '\\.shared'"
line "grep 07-elf-section /proc/\$!/maps | cut -d ' ' -f 2"
line "kill -INT %1; wait %1"
await '^left .* instances=0$'
line "kill -INT %2; wait %2"
await '^left .* instances=0$' 2
line "kill -INT %3; wait %3"
await '^left .* instances=0$' 3
