# launch.bat in a Windows console.
session cmd .
line 'scripts\launch.bat 3 build\win64\02-file-mapping.exe --name lab'
