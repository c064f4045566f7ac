@echo off
rem launch.bat - the Windows twin of launch.sh: start N copies of a counting
rem demo with start /b, check that they count together, let them leave, and
rem check that the count goes back to 0.
rem
rem   scripts\launch.bat N PROGRAM [ARGS...]
rem
rem Example:  scripts\launch.bat 3 build\win64\02-file-mapping.exe --name lab1
rem From Linux, under Wine, quote the whole command for cmd:
rem   wine cmd /c "scripts\launch.bat 3 build\win64\02-file-mapping.exe --name lab1"
rem Every copy runs with --hold (10 seconds plus half a second per copy, or
rem LAUNCH_HOLD), because a batch file cannot send Ctrl+C to one process.
rem It makes the same checks as launch.sh, in the same words, except
rem "stopped" and "left behind" (it cannot read a start /b copy's exit
rem status, and Windows has no ipcs).
rem Exit status: 0 the counts were right, 1 a check failed, 2 bad command line.
setlocal EnableExtensions EnableDelayedExpansion

if "%~1"=="" goto :usage_error
if /i "%~1"=="-h" goto :help
if /i "%~1"=="--help" goto :help
set "N=%~1"
set /a NUM=N 2>nul
if not "!NUM!"=="!N!" goto :bad_count
if !NUM! lss 1 goto :bad_count
if !NUM! gtr 200 goto :bad_count
if "%~2"=="" goto :usage_error
set "PROGRAM=%~f2"
if not exist "!PROGRAM!" (
    echo launch.bat: no program '%~2' ^(build it with make windows^) 1>&2
    exit /b 2
)
set "NAME=%~nx2"
shift
shift

rem ARGS go to every copy; the identity options among them go to --peek too.
set "ARGS="
set "PEEKARGS="
:collect
if "%~1"=="" goto :collected
if "%~1"=="--hold" (
    echo launch.bat: --hold is chosen by launch.bat itself ^(set LAUNCH_HOLD^) 1>&2
    exit /b 2
)
if "%~1"=="--quiet" (
    shift
    goto :collect
)
if "%~1"=="--crash" (
    set "ARGS=!ARGS! --crash"
    shift
    goto :collect
)
set "ARGS=!ARGS! %1"
set "PEEKARGS=!PEEKARGS! %1"
shift
goto :collect
:collected

rem A program without --peek (a minimal version) rejects it with exit 2.
"%PROGRAM%" --peek%PEEKARGS% >nul 2>&1
if errorlevel 2 (
    echo launch.bat: %NAME% has no --peek, which launch.bat needs to count running copies 1>&2
    echo ^(a minimal version? scripts/launch.sh judges those from their join and left lines^) 1>&2
    exit /b 2
)

set /a HOLD=10 + NUM / 2
if defined LAUNCH_HOLD set /a HOLD=LAUNCH_HOLD
set "WORK=%TEMP%\launch-%RANDOM%%RANDOM%"
mkdir "%WORK%" 2>nul
if not exist "%WORK%\" (
    echo launch.bat: cannot make %WORK% 1>&2
    exit /b 1
)
set FAILURES=0
echo launch: %N% copies of %NAME% --quiet --hold %HOLD%%ARGS%
echo   (each copy leaves when its --hold runs out: a batch file cannot send Ctrl+C to one copy)

rem <nul: a start /b copy shares this console, and one that reads it would
rem take the lines typed for cmd.
for /L %%i in (1,1,%N%) do (
    start "" /b "%PROGRAM%" --quiet --hold %HOLD%%ARGS% <nul > "%WORK%\%%i.out" 2>&1
)

rem Wait until a peek counts every copy. (The output files stay locked while
rem the copies run, so the count is read with --peek.) ping is the sleep
rem that every Windows has. The waits are goto loops: Wine's cmd loses
rem count in a for /L loop whose body holds other for loops.
set TRIES=0
:wait_running
set "RUNNING="
for /f "delims=" %%a in ('""%PROGRAM%" --peek%PEEKARGS%"') do set "RUNNING=%%a"
if "%RUNNING%"=="instances=%N%" goto :running_counted
set /a TRIES+=1
if %TRIES% geq %HOLD% goto :running_counted
ping -n 2 127.0.0.1 >nul
goto :wait_running
:running_counted

rem Wait for every copy to finish: its file ends with a left (or crashing)
rem line. type, not findstr: some findstr versions (Wine's) always succeed.
set /a LIMIT=HOLD+60
set TRIES=0
:wait_done
set DONE=0
for /L %%i in (1,1,%N%) do (
    for /f "usebackq tokens=1" %%w in (`type "%WORK%\%%i.out" 2^>nul`) do (
        if "%%w"=="left" set /a DONE+=1
        if "%%w"=="crashing" set /a DONE+=1
    )
)
if %DONE% geq %N% goto :all_done
set /a TRIES+=1
if %TRIES% geq %LIMIT% goto :all_done
ping -n 2 127.0.0.1 >nul
goto :wait_done
:all_done

rem Read every join and left line: "joined pid=P instances=C" splits on
rem spaces and = into joined, pid, P, instances, C.
set JOINED=0
set LEFT=0
for /L %%i in (1,1,%N%) do (
    for /f "usebackq tokens=1,5 delims== " %%a in (`type "%WORK%\%%i.out" 2^>nul`) do (
        if "%%a"=="joined" (
            set /a JOINED+=1
            set "SAID_JOINED_%%b=1"
        )
        if "%%a"=="left" (
            set /a LEFT+=1
            set "SAID_LEFT_%%b=1"
        )
    )
)
set JOIN_ONCE=0
set LEFT_ONCE=0
set /a LAST=N-1
for /L %%k in (1,1,%N%) do if defined SAID_JOINED_%%k set /a JOIN_ONCE+=1
for /L %%k in (0,1,%LAST%) do if defined SAID_LEFT_%%k set /a LEFT_ONCE+=1

if not !JOINED!==%N% (
    echo   joined           !JOINED! of %N% copies printed a join line   MISMATCH
    set /a FAILURES+=1
) else if not !JOIN_ONCE!==%N% (
    echo   joined           %N% of %N%, but their join lines did not say instances=1 to %N% once each   MISMATCH
    set /a FAILURES+=1
) else (
    echo   joined           %N% of %N% ^(their join lines said instances=1 to %N%^)   ok
)
if "!RUNNING!"=="instances=%N%" (
    echo   peek, running    !RUNNING!   ok
) else (
    echo   peek, running    !RUNNING! ^(expected instances=%N%^)   MISMATCH
    set /a FAILURES+=1
)
if not !LEFT!==%N% (
    echo   left             !LEFT! of %N% copies printed a left line   MISMATCH
    set /a FAILURES+=1
) else if not !LEFT_ONCE!==%N% (
    echo   left             %N% of %N%, but their left lines did not say instances=0 to !LAST! once each   MISMATCH
    set /a FAILURES+=1
) else (
    echo   left             %N% of %N% ^(their left lines said instances=0 to !LAST!^)   ok
)

set "AFTER="
for /f "delims=" %%a in ('""%PROGRAM%" --peek%PEEKARGS%"') do set "AFTER=%%a"
if "!AFTER!"=="instances=0" (
    echo   peek, after      !AFTER!   ok
) else (
    echo   peek, after      !AFTER! ^(expected instances=0^)   MISMATCH
    set /a FAILURES+=1
)

rmdir /s /q "%WORK%" 2>nul
if !FAILURES!==0 (
    echo launch: ok
    exit /b 0
)
echo launch: !FAILURES! check^(s^) failed
exit /b 1

:help
echo usage: scripts\launch.bat N PROGRAM [ARGS...]
echo.
echo Starts N copies ^(1 to 200^) of PROGRAM with start /b, each with --hold, waits
echo until --peek counts all N, waits for them to leave, and checks the count is 0.
echo LAUNCH_HOLD sets the hold in seconds ^(default 10 plus half a second a copy^).
echo Exit status: 0 the counts were right, 1 a check failed, 2 bad command line.
exit /b 0

:bad_count
echo launch.bat: N: '%~1' is not a number from 1 to 200 1>&2
exit /b 2

:usage_error
echo usage: scripts\launch.bat N PROGRAM [ARGS...] 1>&2
exit /b 2
