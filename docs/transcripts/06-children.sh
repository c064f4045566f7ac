# Three children sharing the page, then the same with --private: each child
# gets a copy of its own at its first write, and counts only itself.
session bash build/bin
line "./06-mmap-fork --children 3 --hold 0 --quiet"
line "./06-mmap-fork --children 3 --hold 0 --quiet --private"
