# The negative build: the pragma route linked by GNU ld. The section is
# there, but not SHARED, so every copy counts alone.
session bash build/win64
line "x86_64-w64-mingw32-objdump -h 01-data-seg.exe | grep -A1 ' \.shared'"
line "x86_64-w64-mingw32-objdump -h 01-data-seg-pragma-gnu-ld.exe | grep -A1 ' \.shared'"
line 'wine 01-data-seg-pragma-gnu-ld.exe --quiet --hold 4 </dev/null &'
await '^joined .* instances=1$'
line 'wine 01-data-seg-pragma-gnu-ld.exe --peek'
line 'wait'
