# Two copies sharing Local\lab; another name counts apart.
PROMPT='C:\lab> '
t_bg "start /b 02-file-mapping.exe --name lab --quiet --hold 6" "wine 02-file-mapping.exe --name lab --quiet --hold 6" '^joined'
t_bg "start /b 02-file-mapping.exe --name lab --quiet --hold 8" "wine 02-file-mapping.exe --name lab --quiet --hold 8" '^joined'
t_run "02-file-mapping.exe --name lab --peek" "wine 02-file-mapping.exe --name lab --peek"
t_run "02-file-mapping.exe --name other --peek" "wine 02-file-mapping.exe --name other --peek"
t_end 1 "timeout /t 8 >nul"
t_end 2 ""
t_run "02-file-mapping.exe --name lab --peek" "wine 02-file-mapping.exe --name lab --peek"
