# --file: the count lives in the file, so a crash leaves it there for good.
PROMPT='C:\lab> '
t_run "02-file-mapping.exe --name lab --file counter.bin --hold 0 --crash" "rm -f counter.bin; wine 02-file-mapping.exe --name lab --file counter.bin --hold 0 --crash"
t_run "02-file-mapping.exe --name lab --file counter.bin --peek" "wine 02-file-mapping.exe --name lab --file counter.bin --peek"
t_run "02-file-mapping.exe --name lab --file counter.bin --hold 0" "wine 02-file-mapping.exe --name lab --file counter.bin --hold 0"
t_run "del counter.bin" "rm counter.bin"
t_run "02-file-mapping.exe --name lab --file counter.bin --hold 0" "wine 02-file-mapping.exe --name lab --file counter.bin --hold 0; rm -f counter.bin"
