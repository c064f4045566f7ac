# The same, from bash under Wine.
session bash build/win64
line 'wine 01-dll-client-one.exe --quiet --hold 6 </dev/null &'
await '^joined .* instances=1$'
line 'wine 01-dll-client-two.exe --hold 0'
line 'wine 01-dll-client-two.exe --peek'
line 'wait'
