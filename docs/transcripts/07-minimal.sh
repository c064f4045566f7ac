# The minimal version: two copies at once, each counting 1.
session bash build/bin
line "./07-elf-section-minimal &"
await '^joined .* instances=1$'
line "./07-elf-section-minimal &"
await '^joined .* instances=1$' 2
line "kill -INT %1; wait %1"
await '^left .* instances=0$'
line "kill -INT %2; wait %2"
await '^left .* instances=0$' 2
