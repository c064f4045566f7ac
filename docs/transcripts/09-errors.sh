# A bad command line: exit status 2, the argument named, nothing run.
session bash build/bin
line './09-lost-updates --workers 0; echo "exit status $?"'
line './09-lost-updates --method fast; echo "exit status $?"'
