# The same, from bash under Wine.
session bash build/win64
line 'wine 02-file-mapping.exe --name lab --file counter.bin --hold 0 --crash'
line 'wine 02-file-mapping.exe --name lab --file counter.bin --peek'
line 'wine 02-file-mapping.exe --name lab --file counter.bin --hold 0'
line 'rm counter.bin'
line 'wine 02-file-mapping.exe --name lab --file counter.bin --hold 0'
line 'rm counter.bin'
