# Two different programs counting together through one DLL.
PROMPT='C:\lab> '
t_bg "start /b 01-dll-client-one.exe --quiet --hold 6" "wine 01-dll-client-one.exe --quiet --hold 6" '^joined'
t_run "01-dll-client-two.exe --hold 0" "wine 01-dll-client-two.exe --hold 0"
t_run "01-dll-client-two.exe --peek" "wine 01-dll-client-two.exe --peek"
t_end 1 "timeout /t 6 >nul"
