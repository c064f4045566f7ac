# --file: the count lives in the file, so a crash leaves it there for good.
session cmd build/win64
line '02-file-mapping.exe --name lab --file counter.bin --hold 0 --crash'
line '02-file-mapping.exe --name lab --file counter.bin --peek'
line '02-file-mapping.exe --name lab --file counter.bin --hold 0'
line 'del counter.bin'
line '02-file-mapping.exe --name lab --file counter.bin --hold 0'
line 'del counter.bin'
