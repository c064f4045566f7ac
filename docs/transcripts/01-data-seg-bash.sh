# The same session from bash, under Wine.
session bash build/win64
line 'wine 01-data-seg.exe --quiet --hold 8 </dev/null &'
await '^joined .* instances=1$'
line 'wine 01-data-seg.exe --quiet --hold 10 </dev/null &'
await '^joined .* instances=2$'
line 'wine 01-data-seg.exe --peek'
line 'wine 01-data-seg-clang.exe --peek'
line 'wine 01-data-seg.exe --hold 0 --crash; echo "exit status $?"'
line 'wine 01-data-seg.exe --peek'
line 'wait'
line 'wine 01-data-seg.exe --hold 0'
