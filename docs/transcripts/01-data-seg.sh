# Demo 01 in one Windows console: two copies in the background, a peek, a
# crash, and what is left when every copy has gone.
PROMPT='C:\lab> '
t_bg "start /b 01-data-seg.exe --quiet --hold 8" "wine 01-data-seg.exe --quiet --hold 8" '^joined'
t_bg "start /b 01-data-seg.exe --quiet --hold 10" "wine 01-data-seg.exe --quiet --hold 10" '^joined'
t_run "01-data-seg.exe --peek" "wine 01-data-seg.exe --peek"
t_run "01-data-seg-clang.exe --peek" "wine 01-data-seg-clang.exe --peek"
t_run "01-data-seg.exe --hold 0 --crash" "wine 01-data-seg.exe --hold 0 --crash"
t_run "01-data-seg.exe --peek" "wine 01-data-seg.exe --peek"
t_end 1 "timeout /t 10 >nul"
t_end 2 ""
t_run "01-data-seg.exe --hold 0" "wine 01-data-seg.exe --hold 0"
