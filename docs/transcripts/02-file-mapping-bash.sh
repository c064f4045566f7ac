# The same, from bash under Wine.
session bash build/win64
line 'wine 02-file-mapping.exe --name lab --quiet --hold 6 </dev/null &'
await '^joined .* instances=1$'
line 'wine 02-file-mapping.exe --name lab --quiet --hold 8 </dev/null &'
await '^joined .* instances=2$'
line 'wine 02-file-mapping.exe --name lab --peek'
line 'wine 02-file-mapping.exe --name other --peek'
line 'wait'
line 'wine 02-file-mapping.exe --name lab --peek'
