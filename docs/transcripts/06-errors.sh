# What --peek gets (nothing to look up), and what --crash does: the last
# child dies without leaving, its 1 stays, and the parent says so.
session bash build/bin
line "./06-mmap-fork --children 3 --peek; echo \"exit status \$?\""
line "./06-mmap-fork --children 3 --hold 0 --quiet --crash; echo \"exit status \$?\""
