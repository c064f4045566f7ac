# What a bad command line, a missing folder and files that are not ours
# get: nothing is created, and nothing is touched.
session bash build/bin
line "./05-mmap-file --file lab/; echo \"exit status \$?\""
line "./05-mmap-file --file no-such-folder/lab.count; echo \"exit status \$?\""
line "head -c 64 /dev/zero >zeros.bin"
line "./05-mmap-file --file zeros.bin; echo \"exit status \$?\""
line "ln -s zeros.bin link.count"
line "./05-mmap-file --file link.count; echo \"exit status \$?\""
line "rm link.count zeros.bin"
