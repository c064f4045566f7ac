# launch.bat from bash, through Wine's cmd.
session bash .
line 'wine cmd /c "scripts\launch.bat 3 build\win64\02-file-mapping.exe"'
