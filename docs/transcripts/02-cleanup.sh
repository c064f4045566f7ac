# Finding and ending copies under Wine: peek works, tasklist prints
# nothing (a stub in Wine 8), taskkill /f works.
session cmd build/win64
line 'start /b 02-file-mapping.exe --name lab --quiet --hold 60 <nul'
await '^joined .* instances=1$'
line '02-file-mapping.exe --name lab --peek'
line 'tasklist /fi "imagename eq 02-file-mapping.exe"'
line 'taskkill /f /im 02-file-mapping.exe'
await 'terminated'
