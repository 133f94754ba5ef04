# mlockwatch top-level Makefile. `make help` lists the targets.

TOP   := $(CURDIR)
BUILD := $(TOP)/build
export BUILD

# KERNELS: the kernels make check runs the suite on (role "check" in
# kernels.conf); `make check KERNELS="6.1 7.3"` runs a subset.
KERNELS ?= $(shell $(TOP)/scripts/kernels names check)
KNAME   ?= $(firstword $(KERNELS))
export KERNELS

CC      ?= cc
TOOL_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I$(TOP)/include -I$(TOP)/tools/lib
TOOL_LDFLAGS := -static

# User-space programs that run in the guest (and on a test box).
# mlockcheck has its own rule: it embeds a BPF skeleton.
# mlockstress and mlockfolios have their own rules: each is built from
# its directory under tools/.
TOOLS      := $(patsubst tools/%.c,$(BUILD)/tools/%,$(wildcard tools/*.c)) \
	      $(BUILD)/tools/mlockcheck $(BUILD)/tools/mlockstress $(BUILD)/tools/mlockfolios
TEST_PROGS := $(patsubst tests/guest/%.c,$(BUILD)/tools/%,$(wildcard tests/guest/*.c))
BENCH_PROGS := $(BUILD)/tools/mlockbench

# The kselftest KTAP helpers come from the source of the kernel with role "src".
KTAP_KERNEL  := $(shell $(TOP)/scripts/kernels last src)
KTAP_HELPERS := $(BUILD)/src/linux-source-$(KTAP_KERNEL)/tools/testing/selftests/kselftest/ktap_helpers.sh
# kselftest.h, for the guest programs that are kselftests (the reproducers).
KSFT_INC     := $(BUILD)/src/linux-source-$(KTAP_KERNEL)/tools/testing/selftests

MODULE_SRCS := Kbuild $(wildcard module/*.c module/*.h module/Kbuild include/mlockwatch/*.h)

.PHONY: all module tools progs clean-progs install deb host-units kmodules payload kselftest-install demo detection bug-corpus bench check check-host check-debug soak debug-kernel fixed-kernel deps kernels dkms-check clean help

all: module tools

# Kbuild runs with M=module/, never M=$(TOP): its `clean` deletes every *.ko
# below M, and the kernel cache under build/ is full of them.
## module: build module/mlockwatch.ko (KDIR=, KVER= or auto, see README)
module:
	@kdir=$$($(TOP)/scripts/resolve-kdir) && \
	$(MAKE) -C "$$kdir" M=$(TOP)/module modules

## tools: build the static user-space tools into build/tools
tools: $(TOOLS) $(TEST_PROGS) $(BENCH_PROGS)

$(BUILD)/tools/%: tools/%.c $(wildcard tools/*.h include/mlockwatch/*.h) | $(BUILD)/tools
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(TOOL_LDFLAGS) -lpthread

$(BUILD)/tools/mlockstress: $(wildcard tools/mlockstress/*.[ch] tools/lib/*.[ch] include/mlockwatch/*.h) | $(BUILD)/tools
	$(CC) $(TOOL_CFLAGS) -o $@ $(wildcard tools/mlockstress/*.c) tools/lib/json.c tools/lib/argp_err.c $(TOOL_LDFLAGS) -lpthread

$(BUILD)/tools/mlockfolios: $(wildcard tools/mlockfolios/*.[ch] tools/lib/*.[ch] include/mlockwatch/*.h) | $(BUILD)/tools
	$(CC) $(TOOL_CFLAGS) -o $@ $(wildcard tools/mlockfolios/*.c) tools/lib/json.c tools/lib/argp_err.c $(TOOL_LDFLAGS)

# mlockcheck (tools/mlockcheck/, laid out as bcc's libbpf-tools): CO-RE BPF
# against the BTF of the newest pinned kernel (never the host's), its
# skeleton from bpftool, and the user space with tools/lib, linked static
# for the guest.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -I$(TOP)/tools/mlockcheck -I$(TOP)/include
MLOCKCHECK_SRCS := $(filter-out %.bpf.c,$(wildcard tools/mlockcheck/*.c)) tools/lib/trace_helpers.c tools/lib/json.c tools/lib/argp_err.c
VMLINUX_KERNEL := $(shell $(TOP)/scripts/kernels last btf)

$(BUILD)/bpf/vmlinux.h: kernels.conf scripts/vmlinux-h
	@mkdir -p $(BUILD)/bpf
	$(TOP)/scripts/vmlinux-h $(VMLINUX_KERNEL) $@

$(BUILD)/bpf/mlockcheck.bpf.o: tools/mlockcheck/mlockcheck.bpf.c tools/mlockcheck/mlockcheck.h $(wildcard include/mlockwatch/*.h) $(BUILD)/bpf/vmlinux.h
	clang $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/mlockcheck.skel.h: $(BUILD)/bpf/mlockcheck.bpf.o
	bpftool gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/tools/mlockcheck: $(MLOCKCHECK_SRCS) $(wildcard tools/mlockcheck/*.h tools/lib/*.h include/mlockwatch/*.h) \
		$(BUILD)/bpf/mlockcheck.skel.h | $(BUILD)/tools
	$(CC) $(TOOL_CFLAGS) -Wno-unused-parameter -Wno-missing-field-initializers \
		-I$(BUILD)/bpf -o $@ $(MLOCKCHECK_SRCS) $(TOOL_LDFLAGS) -lbpf -lelf -lz -lzstd

$(BUILD)/tools/%: tests/guest/%.c $(wildcard tests/guest/*.h tools/lib/*.h) | $(BUILD)/tools $(KTAP_HELPERS)
	$(CC) $(TOOL_CFLAGS) -I$(KSFT_INC) -o $@ $< $(TOOL_LDFLAGS)

$(BUILD)/tools/mlockbench: bench/mlockbench.c tools/lib/clock.h | $(BUILD)/tools
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(TOOL_LDFLAGS)

$(BUILD)/tools:
	mkdir -p $@

# The version is written once, as dkms.conf's PACKAGE_VERSION; the
# changelog, the module and the tools' --version follow it
# (tests/host/version.sh).
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)

# What `make install` installs, and so what the packages hold (debian/
# runs it). mlockcheck, mlockstress and mlockfolios need root: sbin, section 8.
# mlockvm is not installed (it runs from the tree, on its cache), nor
# therefore its page.
PREFIX  ?= /usr/local
DESTDIR ?=
PROGS   := $(BUILD)/tools/mlockcheck $(BUILD)/tools/mlockstress $(BUILD)/tools/mlockfolios
MANS    := $(wildcard man/mlockcheck.8 man/mlockstress.8 man/mlockfolios.8 man/mlockplot.1 man/mlockwatch.4)
DKMS_SRC := $(DESTDIR)/usr/src/mlockwatch-$(VERSION)

## progs: build only what make install installs (mlockcheck, mlockstress, mlockfolios)
progs: $(PROGS)

clean-progs:
	rm -f $(PROGS) $(BUILD)/bpf/mlockcheck.bpf.o $(BUILD)/bpf/mlockcheck.skel.h

## install: mlockcheck, mlockstress, mlockfolios (PREFIX/sbin), mlockplot (PREFIX/bin), man pages, the DKMS tree (/usr/src); DESTDIR=, PREFIX=/usr/local
install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 755 tools/mlockplot $(DESTDIR)$(PREFIX)/bin/
	@set -e; for m in $(MANS); do \
		echo "install -D -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}"; \
		install -D -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; \
	done
	@# DKMS looks in /usr/src whatever PREFIX is. No tests/inject: test-only.
	@set -e; for f in dkms.conf $(MODULE_SRCS); do \
		install -D -m 644 $$f $(DKMS_SRC)/$$f; \
	done
	@echo "installed the DKMS tree in $(DKMS_SRC)"

# `make deb` builds the packages in a copy of the tree (what git tracks,
# and new files it does not ignore), so that dpkg-buildpackage, which
# writes to the parent directory, writes to build/deb. The copy gets this
# tree's vmlinux.h, whose kernel it would otherwise fetch again.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/mlockwatch-$(VERSION)

## deb: build mlockwatch-dkms and mlockwatch-tools into build/deb
deb: $(BUILD)/bpf/vmlinux.h
	@git rev-parse --is-inside-work-tree > /dev/null || \
		{ echo "make deb: needs a git checkout: it packages what git tracks"; exit 1; }
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)/build/bpf
	@git ls-files -z -c -o --exclude-standard | \
		rsync -a --from0 --files-from=- --ignore-missing-args ./ $(DEB_SRC)/
	@cp $(BUILD)/bpf/vmlinux.h $(DEB_SRC)/build/bpf/
	@echo "dpkg-buildpackage in $(DEB_SRC) (log: $(DEB_DIR)/build.log)"
	@cd $(DEB_SRC) && dpkg-buildpackage -b --no-sign > $(DEB_DIR)/build.log 2>&1 || \
		{ tail -n 30 $(DEB_DIR)/build.log; echo "make deb: dpkg-buildpackage failed (log: $(DEB_DIR)/build.log)"; exit 1; }
	@rm -rf $(DEB_SRC)
	@ls $(DEB_DIR)/*.deb

# Host unit tests: tests/host/NAME_test.c, kselftest harness programs that
# #include the pure judging code they test (module or tool sources), so
# they see its static functions. tests/host/units.sh runs them.
HOST_UNITS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/*_test.c))
HOST_UNIT_CFLAGS := -O1 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-I$(KSFT_INC) -I$(TOP)/include -I$(TOP)/tests/host -I$(TOP)

## host-units: build the host unit tests (tests/host/*_test.c) into build/host
host-units: $(HOST_UNITS)

$(BUILD)/host/%_test: tests/host/%_test.c $(wildcard tests/host/*.h include/mlockwatch/*.h module/*.[ch] tools/*.[ch] tools/*/*.[ch]) | $(KTAP_HELPERS)
	@mkdir -p $(BUILD)/host
	$(CC) $(HOST_UNIT_CFLAGS) -o $@ $<


$(KTAP_HELPERS):
	@$(TOP)/scripts/source-fetch $(KTAP_KERNEL)

# The modules for pinned kernel KNAME, built out of tree under
# build/obj/KNAME: mlockwatch.ko and the test-only injector. A kernel
# whose headers are not served (kernels.conf's "noheaders") has no KDIR
# and gets neither.
kmodules:
	@$(TOP)/scripts/kernel-fetch $(KNAME)
	@. $(BUILD)/kernels/$(KNAME)/kernel.env && [ -z "$$KDIR" ] || { \
	obj=$(BUILD)/obj/$(KNAME) && mkdir -p $$obj && \
	rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
		--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
		Kbuild module include $$obj/ && \
	$(TOP)/scripts/kmake $(KNAME) -s M=$$obj/module modules >$$obj/build.log 2>&1 || \
		{ cat $$obj/build.log; echo "module build for $(KNAME) failed"; exit 1; }; }
	@. $(BUILD)/kernels/$(KNAME)/kernel.env && [ -z "$$KDIR" ] || { \
	obj=$(BUILD)/obj/$(KNAME)/inject && mkdir -p $$obj && \
	cp tests/inject/Kbuild tests/inject/*.c $$obj/ && cp -r include $$obj/ && \
	$(TOP)/scripts/kmake $(KNAME) -s M=$$obj modules >$$obj/build.log 2>&1 || \
		{ cat $$obj/build.log; echo "test-only injector build for $(KNAME) failed"; exit 1; }; }

## payload: what mlockvm puts in the guest's /mw for KNAME (default: first pinned); the guest tests are kselftest-install's
payload: tools $(KTAP_HELPERS) kmodules
	@. $(BUILD)/kernels/$(KNAME)/kernel.env && \
	p=$(BUILD)/payload/$(KNAME) && rm -rf $$p && mkdir -p $$p/tests && \
	{ [ -z "$$KDIR" ] || cp $(BUILD)/obj/$(KNAME)/module/mlockwatch.ko $(BUILD)/obj/$(KNAME)/inject/mlockinject.ko $$p/; } && \
	cp $(TOOLS) $(TEST_PROGS) $(BENCH_PROGS) $$p/ 2>/dev/null; \
	cp tests/demo.sh tests/known-kernel-bugs tests/inject/cell.sh tests/guest/lib.sh $(KTAP_HELPERS) $$p/tests/ && \
	{ [ -n "$$KDIR" ] || echo "$(KNAME): no headers served (noheaders): the payload has no mlockwatch.ko" > $$p/NO-MODULE; }

# kselftest-install: the guest tests as the kernel's `make install` of a
# selftest directory lays them out, in INSTALL_PATH. The modules only
# when a kernel is named (KNAME= on the command line or in the
# environment, not the default): on a test box the suite loads the
# module DKMS installed.
INSTALL_PATH ?= $(BUILD)/kselftest_install
KSFT_KNAME := $(if $(filter command line environment,$(origin KNAME)),$(KNAME))

## kselftest-install: install the guest tests kselftest style in INSTALL_PATH (default build/kselftest_install); KNAME=K adds the modules for pinned kernel K
kselftest-install: tools $(KTAP_HELPERS) $(if $(KSFT_KNAME),kmodules)
	@$(TOP)/scripts/kselftest-install "$(INSTALL_PATH)" "$(KSFT_KNAME)" $(TOOLS) $(TEST_PROGS)

## deps: install the build and test dependencies (root), or list them
deps:
	@$(TOP)/scripts/install-deps

## kernels: fetch and cache every kernel in kernels.conf
kernels:
	@$(TOP)/scripts/kernel-fetch $(KERNELS)

## demo: boot the first pinned kernel, load mlockwatch and show it working
demo: deps
	@$(TOP)/scripts/demo $(KNAME)

## detection: regenerate tests/results/detection.md (one boot per cell)
detection: deps
	@mkdir -p $(TOP)/tests/results
	@$(TOP)/scripts/detection-matrix --write $(TOP)/tests/results/detection.md

## bug-corpus: regenerate tests/results/bug-corpus.md (each bug's kernels, one boot each)
bug-corpus: deps
	@mkdir -p $(TOP)/tests/results
	@$(TOP)/scripts/bug-corpus --races --write $(TOP)/tests/results/bug-corpus.md

# What bench/results.md is made with: instruction-counted time, two boots
# per kernel. One round per boot: under --icount a boot's rounds repeat
# each other, and the spread that says what a ratio is worth is between
# boots (README, Performance).
BENCH_ARGS ?= --runs 2 --kernels "6.1 6.12"
BENCH_ROUNDS ?= 1

## bench: overhead, memory, listing and scale figures under TCG; writes bench/results.md (BENCH_ARGS, BENCH_ROUNDS)
bench: deps
	@ROUNDS=$(BENCH_ROUNDS) $(TOP)/scripts/bench $(BENCH_ARGS)

## check: host unit tests, guest tests on every pinned kernel, DKMS builds
check: deps
	@$(TOP)/tests/run

## soak: the long runs: 100 reload cycles under load, 100 CPU hotplug rounds (every check kernel)
soak: deps
	@MW_GUEST_ENV="MW_RELOAD_CYCLES=100 MW_HOTPLUG_ROUNDS=100 MW_TEST_TIMEOUT=2400" \
	 MW_BOOT_TIMEOUT=3000 MW_STAGE_BUDGET=6000 \
	 $(TOP)/tests/run --guest-only --no-detection \
		--guest-tests "42-reload-under-load.sh 46-cpu-hotplug.sh"

## debug-kernel: build (once, cached) the LOCKDEP/KASAN/kmemleak kernel
debug-kernel: deps
	@$(TOP)/scripts/build-kernel debug

## fixed-kernel: build 7.3 with patches/ (the overcount fix), boot it and the stock 7.3; writes tests/results/fixed-kernel.md
fixed-kernel: deps
	@$(TOP)/scripts/build-kernel fixed && $(TOP)/scripts/check-fixed

## check-debug: the guest suite on the debug kernel; writes tests/results/debug-kernel.md
check-debug: deps
	@$(TOP)/scripts/check-debug

## check-host: only the host unit tests
check-host:
	@$(TOP)/tests/run --host-only

clean:
	-@kdir=$$($(TOP)/scripts/resolve-kdir 2>/dev/null) && \
		$(MAKE) -s -C "$$kdir" M=$(TOP)/module clean 2>/dev/null
	rm -rf $(BUILD)/obj $(BUILD)/payload $(BUILD)/tools $(BUILD)/deb $(BUILD)/kselftest $(BUILD)/kselftest_install

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
