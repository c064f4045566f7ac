# Makefile - build, run and test the shared-memory teaching suite.
#
#   make                 build every demo this host can build (build/bin/)
#   make 03-sysv-shm     build one demo
#   make minimal         build the minimal version of every demo
#   make windows         cross-build the Windows demos (build/win64/)
#   make demo            launch 3 copies of every demo this host can run
#   make test            install what the tests need, then run them all
#   make help            list every target
#
# CC, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS work as usual; V=1 shows the
# commands; SANITIZE=address,undefined builds with those sanitizers.
# One Makefile, no recursion: each program is one compiler command.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDEXPANSION:
SHELL := /bin/bash

CFLAGS ?= -O2 -g
SANITIZE ?=
BUILD ?= build
BIN := $(BUILD)/bin
WIN := $(BUILD)/win64

# The language and warnings are part of the lesson, not a preference:
# they stay even when CFLAGS is replaced.
STD_FLAGS := -std=c11 -Wall -Wextra -Wpedantic
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2);
endif

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_HDR := $(sort $(wildcard common/*.h))
COMMON_DEPS := $(COMMON_SRC) $(COMMON_HDR)

# ---------------------------------------------------------------- Linux ----
LINUX_DEMOS := 03-sysv-shm 04-posix-shm 05-mmap-file 08-sem-undo
03-sysv-shm_SRC := linux/03-sysv-shm/sysv_shm.c
# Demo 04: shm_open is in libc since glibc 2.34 (Debian 12 has 2.36); an
# older glibc needs LDLIBS=-lrt.
04-posix-shm_SRC := linux/04-posix-shm/posix_shm.c
05-mmap-file_SRC := linux/05-mmap-file/mmap_file.c
08-sem-undo_SRC := linux/08-sem-undo/sem_undo.c
# Demos 06 and 07 count too, but not as three copies launched side by side:
# scripts/demo.sh knows how to show each.
LINUX_DEMOS += 06-mmap-fork 07-elf-section
06-mmap-fork_SRC := linux/06-mmap-fork/mmap_fork.c
07-elf-section_SRC := linux/07-elf-section/elf_section.c
# Demo 09 measures lost updates instead of counting copies: not in
# LINUX_DEMOS, which make demo runs as counting demos.
LINUX_MEASURES := 09-lost-updates
09-lost-updates_SRC := linux/09-lost-updates/lost_updates.c
$(BIN)/09-lost-updates: LDLIBS += -pthread
# Demo 10 benchmarks IPC: a measuring program too, in three files (one per
# group of methods), sharing bench.h.
LINUX_MEASURES += 10-ipc-bench
10-ipc-bench_SRC := linux/10-ipc-bench/ipc_bench.c linux/10-ipc-bench/latency.c \
	linux/10-ipc-bench/throughput.c
$(BIN)/10-ipc-bench: LDLIBS += -pthread
$(BIN)/10-ipc-bench: linux/10-ipc-bench/bench.h

$(BIN)/%: $$($$*_SRC) $(COMMON_DEPS) | $(BIN)
	$(call say,CC,$@)
	$(Q)$(CC) $(STD_FLAGS) -Icommon $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) \
		-o $@ $($*_SRC) $(COMMON_SRC) $(LDLIBS)

# The minimal versions: one file each, no common/ code, read first.
LINUX_MINIMAL := $(LINUX_DEMOS:%=%-minimal)
03-sysv-shm-minimal_SRC := linux/03-sysv-shm/minimal.c
04-posix-shm-minimal_SRC := linux/04-posix-shm/minimal.c
05-mmap-file-minimal_SRC := linux/05-mmap-file/minimal.c
08-sem-undo-minimal_SRC := linux/08-sem-undo/minimal.c
06-mmap-fork-minimal_SRC := linux/06-mmap-fork/minimal.c
07-elf-section-minimal_SRC := linux/07-elf-section/minimal.c
09-lost-updates-minimal_SRC := linux/09-lost-updates/minimal.c
10-ipc-bench-minimal_SRC := linux/10-ipc-bench/minimal.c
$(BIN)/%-minimal: $$($$*-minimal_SRC) | $(BIN)
	$(call say,CC,$@)
	$(Q)$(CC) $(STD_FLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# A helper for the tests only: makes the segments demo 03 must refuse.
TEST_TOOLS := $(BUILD)/test/shm-tool
$(BUILD)/test/shm-tool: tests/tools/shm_tool.c common/header_check.h
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(STD_FLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# Demo 08's: makes the semaphore sets it must refuse, and looks at them.
TEST_TOOLS += $(BUILD)/test/sem-tool
$(BUILD)/test/sem-tool: tests/tools/sem_tool.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(STD_FLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# The launch and Wine tests': makes a Wine process end 3 s late (LD_PRELOAD).
TEST_TOOLS += $(BUILD)/test/slow-exit.so
$(BUILD)/test/slow-exit.so: tests/tools/slow_exit.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(STD_FLAGS) $(CPPFLAGS) $(CFLAGS) -shared -fPIC $(LDFLAGS) -o $@ $<

$(BIN) $(WIN):
	$(Q)mkdir -p $@

# -------------------------------------------------------------- Windows ----
# Two compilers, two routes to a shared section (see windows/01-data-seg):
# MinGW GCC uses __attribute__((section, shared)); clang with lld compiles
# MSVC's #pragma data_seg and /SECTION:...,RWS for real.
MINGW_CC ?= x86_64-w64-mingw32-gcc
WIN_CLANG ?= clang
WIN_CFLAGS ?= -O2
MINGW_FLAGS := $(STD_FLAGS) -Icommon $(WIN_CFLAGS)
# Debian installs libgcc for MinGW under a -win32 or -posix folder that
# clang 14 does not search: ask the MinGW GCC where it is.
MINGW_LIBGCC = $(dir $(shell $(MINGW_CC) -print-libgcc-file-name 2>/dev/null))
CLANG_FLAGS = --target=x86_64-w64-mingw32 -fuse-ld=lld -fms-extensions $(MINGW_FLAGS) \
	-L$(MINGW_LIBGCC)

WIN_PROGRAMS := 01-data-seg 01-dll-client-one 01-dll-client-two 02-file-mapping
WIN_PROGRAMS += 08-job-count
WIN_DLLS := 01-shared-dll
01-data-seg_WSRC := windows/01-data-seg/data_seg.c
01-dll-client-one_WSRC := windows/01-data-seg/dll_client.c
01-dll-client-two_WSRC := windows/01-data-seg/dll_client.c
01-dll-client-one_WDEFS := -DCLIENT_NAME='"01-dll-client-one"'
01-dll-client-two_WDEFS := -DCLIENT_NAME='"01-dll-client-two"'
02-file-mapping_WSRC := windows/02-file-mapping/file_mapping.c
08-job-count_WSRC := windows/08-job-count/job_count.c
# Demo 09: not a counting demo, so not in WIN_PROGRAMS (make demo on MSYS2).
WIN_MEASURES := 09-lost-updates
09-lost-updates_WSRC := windows/09-lost-updates/lost_updates.c
01-shared-dll_WSRC := windows/01-data-seg/shared_dll.c

# The minimal versions: one file each, no common/ code.
WIN_MINIMAL := 01-data-seg-minimal 02-file-mapping-minimal
01-data-seg-minimal_MSRC := windows/01-data-seg/minimal.c
02-file-mapping-minimal_MSRC := windows/02-file-mapping/minimal.c
WIN_MINIMAL += 09-lost-updates-minimal
09-lost-updates-minimal_MSRC := windows/09-lost-updates/minimal.c
WIN_MINIMAL += 08-job-count-minimal
08-job-count-minimal_MSRC := windows/08-job-count/minimal.c

WIN_GCC_OUT := $(WIN_PROGRAMS:%=$(WIN)/%.exe) $(WIN_DLLS:%=$(WIN)/%.dll) $(WIN_MINIMAL:%=$(WIN)/%.exe)
WIN_CLANG_OUT := $(WIN_PROGRAMS:%=$(WIN)/%-clang.exe) $(WIN_DLLS:%=$(WIN)/%-clang.dll) \
	$(WIN_MINIMAL:%=$(WIN)/%-clang.exe)
# The negative lesson: GNU ld ignores /SECTION, so the pragma route built
# with MinGW GCC gets a section that is NOT shared. Built only for the test.
WIN_NEGATIVE := $(WIN)/01-data-seg-pragma-gnu-ld.exe

# Each client links against the DLL built by the same compiler.
$(WIN)/01-dll-client-%.exe: WLIBS = $(WIN)/01-shared-dll.dll
$(WIN)/01-dll-client-%-clang.exe: WLIBS = $(WIN)/01-shared-dll-clang.dll
$(WIN)/01-dll-client-one.exe $(WIN)/01-dll-client-two.exe: $(WIN)/01-shared-dll.dll
$(WIN)/01-dll-client-one-clang.exe $(WIN)/01-dll-client-two-clang.exe: $(WIN)/01-shared-dll-clang.dll

$(WIN)/%-clang.exe: $$($$*_WSRC) $(COMMON_DEPS) windows/01-data-seg/shared_dll.h | $(WIN)
	$(call say,CLANG,$@)
	$(Q)$(WIN_CLANG) $(CLANG_FLAGS) $($*_WDEFS) -o $@ $($*_WSRC) $(COMMON_SRC) $(WLIBS)

$(WIN)/%.exe: $$($$*_WSRC) $(COMMON_DEPS) windows/01-data-seg/shared_dll.h | $(WIN)
	$(call say,MINGW,$@)
	$(Q)$(MINGW_CC) $(MINGW_FLAGS) $($*_WDEFS) -o $@ $($*_WSRC) $(COMMON_SRC) $(WLIBS)

$(WIN)/%-minimal-clang.exe: $$($$*-minimal_MSRC) | $(WIN)
	$(call say,CLANG,$@)
	$(Q)$(WIN_CLANG) $(CLANG_FLAGS) -o $@ $<

$(WIN)/%-minimal.exe: $$($$*-minimal_MSRC) | $(WIN)
	$(call say,MINGW,$@)
	$(Q)$(MINGW_CC) $(MINGW_FLAGS) -o $@ $<

$(WIN)/%-clang.dll: $$($$*_WSRC) windows/01-data-seg/shared_dll.h common/header_check.h | $(WIN)
	$(call say,CLANG,$@)
	$(Q)$(WIN_CLANG) $(CLANG_FLAGS) -shared -DBUILDING_SHARED_DLL -o $@ $($*_WSRC)

$(WIN)/%.dll: $$($$*_WSRC) windows/01-data-seg/shared_dll.h common/header_check.h | $(WIN)
	$(call say,MINGW,$@)
	$(Q)$(MINGW_CC) $(MINGW_FLAGS) -shared -DBUILDING_SHARED_DLL -o $@ $($*_WSRC)

# Two steps. CLANG: clang compiles data_seg.c by the pragma route, so the
# object file holds the .shared section and, in its .drectve section, the
# linker option /SECTION:.shared,RWS. MINGW: MinGW GCC compiles common/ and
# links everything with GNU ld, which does not know /SECTION. ld says so on
# standard error, in its own words for an option it cannot read at the end of
# .drectve: "Warning: corrupt .drectve at end of def file". That warning is
# the lesson, so it is shown; the link still succeeds.
$(WIN_NEGATIVE): $(01-data-seg_WSRC) $(COMMON_DEPS) | $(WIN)
	$(call say,CLANG,$(@:.exe=.o))
	$(Q)$(WIN_CLANG) --target=x86_64-w64-mingw32 -fms-extensions $(MINGW_FLAGS) \
		-c -o $(@:.exe=.o) $(01-data-seg_WSRC)
	$(call say,MINGW,$@)
	$(Q)$(MINGW_CC) $(MINGW_FLAGS) -o $@ $(@:.exe=.o) $(COMMON_SRC)
	$(Q)rm -f $(@:.exe=.o)

# A helper for the Windows tests: holds a mapping demo 02 must refuse.
WIN_TEST_TOOLS := $(BUILD)/test/mapping-tool.exe
$(BUILD)/test/mapping-tool.exe: tests/tools/mapping_tool.c
	$(call say,MINGW,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(MINGW_CC) $(MINGW_FLAGS) -o $@ $<

# ---------------------------------------------------------- Host choice ----
ifeq ($(OS),Windows_NT)
# MSYS2 on Windows: build the Windows demos natively.
HOST_PROGRAMS := $(WIN_GCC_OUT)
MINGW_CC := $(CC)
else
HOST_PROGRAMS := $(LINUX_DEMOS:%=$(BIN)/%) $(LINUX_MINIMAL:%=$(BIN)/%)
endif

.PHONY: test-tools minimal windows-test-tools all windows windows-negative demo test test-only lint format docs docs-check clean help \
	$(LINUX_DEMOS) $(LINUX_MINIMAL) 01-data-seg 02-file-mapping 08-job-count

all: $(HOST_PROGRAMS)
ifeq ($(OS),Windows_NT)
all: $(WIN_MEASURES:%=$(WIN)/%.exe)
else
all: $(LINUX_MEASURES:%=$(BIN)/%) $(LINUX_MEASURES:%=$(BIN)/%-minimal)
endif
.PHONY: $(LINUX_MEASURES) 09-lost-updates-minimal 10-ipc-bench-minimal bench
$(LINUX_MEASURES) 09-lost-updates-minimal 10-ipc-bench-minimal: %: $(BIN)/%

$(LINUX_DEMOS) $(LINUX_MINIMAL): %: $(BIN)/%
minimal: $(LINUX_MINIMAL:%=$(BIN)/%) $(WIN_MINIMAL:%=$(WIN)/%.exe) $(WIN_MINIMAL:%=$(WIN)/%-clang.exe)
minimal: $(BIN)/09-lost-updates-minimal $(BIN)/10-ipc-bench-minimal

test-tools: $(TEST_TOOLS)

windows: $(WIN_GCC_OUT) $(WIN_CLANG_OUT)
windows: $(WIN_MEASURES:%=$(WIN)/%.exe) $(WIN_MEASURES:%=$(WIN)/%-clang.exe)
windows-negative: $(WIN_NEGATIVE)
windows-test-tools: $(WIN_TEST_TOOLS)
01-data-seg: $(filter $(WIN)/01-%,$(WIN_GCC_OUT) $(WIN_CLANG_OUT))
02-file-mapping: $(filter $(WIN)/02-%,$(WIN_GCC_OUT) $(WIN_CLANG_OUT))
08-job-count: $(filter $(WIN)/08-job-count%,$(WIN_GCC_OUT) $(WIN_CLANG_OUT))

# ----------------------------------------------------------- Run & test ----
export BIN_DIR := $(abspath $(BIN))
export WIN_DIR := $(abspath $(WIN))
export TEST_TOOL_DIR := $(abspath $(BUILD)/test)

# The Windows demos join in when this host can build and run them; when it
# cannot, make demo says which it skipped, why, and what installs the tools.
WINDOWS_TOOLS := $(MINGW_CC) $(WIN_CLANG) ld.lld wine
MISSING_WINDOWS_TOOLS = $(strip $(foreach t,$(WINDOWS_TOOLS),$(if $(shell command -v $(t)),,$(t))))
WINDOWS_DEMOS := 01-data-seg.exe 02-file-mapping.exe 08-job-count.exe
demo: all
ifeq ($(OS),Windows_NT)
	$(Q)scripts/demo.sh $(WINDOWS_DEMOS:%=$(WIN)/%)
else
	$(Q)$(if $(MISSING_WINDOWS_TOOLS),,$(MAKE) --no-print-directory windows)
	$(Q)scripts/demo.sh $(LINUX_DEMOS:%=$(BIN)/%) $(if $(MISSING_WINDOWS_TOOLS),,$(WINDOWS_DEMOS:%=$(WIN)/%))
	$(Q)$(if $(MISSING_WINDOWS_TOOLS),echo "== skipped the Windows demos ($(WINDOWS_DEMOS)): this machine lacks $(MISSING_WINDOWS_TOOLS)."; \
		echo "   scripts/install-deps.sh windows installs them (as root, or with sudo); then run make demo again.")
endif

# make test and make docs build everything first, one compiler per CPU.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)

# make test: first make sure bats, the cross compilers and Wine are here
# (installing them with apt-get when we may), then build and test.
test:
	$(Q)scripts/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all windows windows-negative test-tools $(WIN_TEST_TOOLS)
	$(Q)$(MAKE) --no-print-directory test-only

# One summary line at the end: N passed, N failed (see scripts/run-tests.sh).
TESTS ?= tests
test-only:
	$(Q)scripts/run-tests.sh $(TESTS)

# Refresh the excerpts and transcripts in docs/ from the sources and real runs.
docs:
	$(Q)scripts/install-deps.sh docs
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all windows windows-negative test-tools windows-test-tools
	$(Q)scripts/docs.sh

# Demo 10's full benchmark on this machine: the CSV (with notes on where and
# when), then its chart and the page's table redrawn from it. Measures, so
# make docs never runs it: run it on a quiet machine and commit the three.
bench: $(BIN)/10-ipc-bench
	$(Q)BENCH_BUILD="$(CC) $(CFLAGS)" scripts/bench.sh $(BIN)/10-ipc-bench docs/data/10-ipc-bench.csv

lint:
	$(Q)scripts/install-deps.sh lint
	$(Q)scripts/lint.sh

format:
	$(Q)clang-format -i $(COMMON_SRC) $(COMMON_HDR) $(wildcard linux/*/*.c windows/*/*.c windows/*/*.h)

clean:
	$(Q)rm -rf $(BUILD)

help:
	@echo 'Targets:'
	@echo '  all (default)     build every demo this host can build into $(BIN)/'
	@$(foreach d,$(LINUX_DEMOS),printf '  %-17s build that Linux demo only\n' $(d);)
	@echo '  09-lost-updates   build demo 09 (Linux); make windows cross-builds it'
	@echo '  10-ipc-bench      build demo 10, the IPC benchmark (Linux)'
	@echo '  bench             run demo 10 in full; write docs/data/10-ipc-bench.csv, its'
	@echo '                    chart and the table in docs/10-ipc-bench.md'
	@echo '  minimal           the minimal version of every demo (03-sysv-shm-minimal, ...)'
	@echo '  01-data-seg       cross-build demo 01 (EXE, DLL and two clients)'
	@echo '  02-file-mapping   cross-build demo 02'
	@echo '  08-job-count      cross-build demo 08 for Windows (a job object keeps the count)'
	@echo '  windows           cross-build every Windows program into $(WIN)/'
	@echo '                    (MinGW GCC: NAME.exe; clang + lld: NAME-clang.exe)'
	@echo '  windows-negative  the pragma route linked by GNU ld: a section NOT shared'
	@echo '  test-tools        the helpers the tests use (build/test/shm-tool, ...)'
	@echo '  demo              launch 3 copies of every demo this host can run'
	@echo '  test              install test tools if missing, build, run every test'
	@echo '  test-only         run the tests without installing or building'
	@echo '                    (TESTS=tests/03-sysv-shm.bats picks one file)'
	@echo '  lint              shellcheck, cppcheck and the clang-format check'
	@echo '  format            reformat the C sources with clang-format'
	@echo '  docs              refresh excerpts, transcripts and diagrams in docs/'
	@echo '  clean             remove $(BUILD)/'
	@echo 'Variables: CC CFLAGS CPPFLAGS LDFLAGS LDLIBS V=1 SANITIZE=address,undefined BUILD=dir'
