# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Benchmark programs, included by the top Makefile and built only by
# `make bench`: the baseline BPF object and its skeleton, the packet-cost
# benchmark (linked with the packet-test harness and libxvs) and the UDP
# load generator. Everything lands in build/bench.
BENCH_BUILD := $(BUILD)/bench

$(BENCH_BUILD):
	@mkdir -p $@

$(BENCH_BUILD)/baseline.bpf.o: bench/baseline.bpf.c | $(BENCH_BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_BUILD)/baseline.skel.h: $(BENCH_BUILD)/baseline.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name baseline > $@

$(BENCH_BUILD)/%.o: CFLAGS += -Itests/harness -I$(BENCH_BUILD)
$(BENCH_BUILD)/pkt_bench.o: $(BENCH_BUILD)/baseline.skel.h $(SKELS)

$(BENCH_BUILD)/pkt_bench: $(BENCH_BUILD)/pkt_bench.o $(HARNESS_OBJS) $(LIBXVS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_BUILD)/udp_blast: $(BENCH_BUILD)/udp_blast.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

bench-build: $(BENCH_BUILD)/pkt_bench $(BENCH_BUILD)/udp_blast

.PHONY: bench-build
