# The minimal version of demo 01 and a copy ended by force, from bash under
# Wine: its 1 stays while another copy runs, and is gone once all have gone.
session bash build/win64
line 'wine 01-data-seg-minimal.exe --hold 4 </dev/null &'
await '^joined .* instances=1$'
line 'wine 01-data-seg-minimal.exe </dev/null &'
await '^joined .* instances=2$'
await '^now instances=2$'
line 'kill -KILL %2; wait %2'
line 'wait %1'
line 'wine 01-data-seg-minimal.exe --hold 0'
