# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvs build: everything lands in build/. Nothing generated is committed.
#
#   make            data plane, skeletons, libxvs, xvsadm, xvs-rs, tests
#   make deps       install missing Debian packages (root)
#   make test       deps + build + every test; ends with "N passed, N failed"
#   make demo       deps + build + the demo topology
#   make bench      deps + build + benchmarks; writes docs/BENCHMARKS.md (bench/)
#   V=1             show commands
.DELETE_ON_ERROR:
.SUFFIXES:

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

PKGS        := libbpf libmnl
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lmnl) -lelf -lz

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(BUILD) $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS)
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf -I$(ARCH_INC)

ifneq ($(SANITIZER),)
CFLAGS  += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZER)
endif

# ---- data plane: bpf/NAME.bpf.c -> build/bpf/NAME.bpf.o -> build/NAME.skel.h
BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard include/xvs/*.h)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# ---- libxvs: lib/*.c -> build/libxvs.a
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIBXVS   := $(BUILD)/libxvs.a
HDRS     := $(wildcard include/xvs/*.h lib/*.h cmd/*/*.h tests/harness/*.h tests/unit/*.h)

$(BUILD)/%.o: %.c $(HDRS) | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBXVS): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- programs: cmd/NAME/*.c -> build/NAME; all but main.o also go into
# build/cmd/NAME.a so unit tests can link the program's logic.
# NAME_LIBS: libraries one program needs beyond libxvs's (tests that link
# the program's logic get them too).
CMDS := $(notdir $(wildcard cmd/*))
XVSD_PKGS := openssl libpcre2-8 libmicrohttpd
xvsd_LIBS  = $(shell pkg-config --libs $(XVSD_PKGS) 2>/dev/null || echo -lssl -lcrypto -lpcre2-8 -lmicrohttpd)
define cmd_rules
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard cmd/$(1)/*.c))
$(1)_LIB  := $(BUILD)/cmd/$(1).a
$$($(1)_LIB): $$(filter-out %/main.o,$$($(1)_OBJS))
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/$(1): $(BUILD)/cmd/$(1)/main.o $$($(1)_LIB) $(LIBXVS)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS) $$(LDLIBS)
endef
$(foreach c,$(CMDS),$(eval $(call cmd_rules,$(c))))
PROGS := $(addprefix $(BUILD)/,$(CMDS))

# ---- tests: tests/{unit,pkt}/NAME.c -> build/tests/{unit,pkt}/NAME
HARNESS_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/harness/*.c))
CMD_LIBS     := $(foreach c,$(CMDS),$($(c)_LIB))
TEST_SRCS    := $(wildcard tests/unit/*.c tests/pkt/*.c)
TESTS        := $(patsubst %.c,$(BUILD)/%,$(TEST_SRCS))

$(BUILD)/tests/%.o: CFLAGS += -Itests/harness

# Objects that #include a skeleton embed the BPF object: rebuild them when
# the data plane changes (the order-only prerequisite above does not).
SKEL_USERS := $(patsubst %.c,$(BUILD)/%.o,$(shell grep -l 'skel\.h"' lib/*.c cmd/*/*.c tests/*/*.c 2>/dev/null))
$(SKEL_USERS): $(SKELS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(HARNESS_OBJS) $(CMD_LIBS) $(LIBXVS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(foreach c,$(CMDS),$($(c)_LIBS)) $(LDLIBS)

$(BUILD)/bpf:
	@mkdir -p $@

all: $(SKELS) $(LIBXVS) $(PROGS) $(TESTS)
.DEFAULT_GOAL := all

deps:
	@scripts/deps.sh

# Build with the packages present: deps first, then a fresh make.
build-all: deps
	@$(MAKE) --no-print-directory all

test: build-all
	@tests/run.sh

demo: build-all
	@scripts/demo.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps build-all test demo clean
.SECONDARY:

# ---- benchmarks: deps + build, then every section; writes docs/BENCHMARKS.md
include bench/bench.mk

bench: build-all
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory bench-build
	@bench/run.sh

.PHONY: bench
