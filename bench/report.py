#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Turns the results of a `make bench` run (one JSON object per line, from
bench/pkt_bench.c, bench/e2e.sh and bench/ctl.sh) into docs/BENCHMARKS.md
and gnuplot PNGs of the scaling curves.

    report.py RESULTS.jsonl OUT.md PLOT_DIR ELAPSED_SECONDS

Every figure is the median of the rounds (or runs) with [min-max]; every
ratio divides medians measured in the same run. Targets are printed next to
the ratios, never checked."""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

# ---- loading and small helpers ------------------------------------------


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def med(v):
    return statistics.median(v) if v else float("nan")


def cell(v, fmt="{:.0f}"):
    """median [min-max] of a list, or n/a."""
    if not v:
        return "n/a"
    if len(v) == 1:
        return fmt.format(v[0])
    return (fmt + " [" + fmt + "–" + fmt + "]").format(med(v), min(v), max(v))


def ratio(a, b, fmt="{:.2f}×"):
    if not a or not b or med(b) == 0:
        return "n/a"
    return fmt.format(med(a) / med(b))


def si(x):
    """12345 -> 12.3k"""
    if x != x:
        return "n/a"
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return "{:.1f}{}".format(x / div, suffix)
    return "{:.0f}".format(x)


def cell_si(v):
    if not v:
        return "n/a"
    return "{} [{}–{}]".format(si(med(v)), si(min(v)), si(max(v)))


def pick(rows, **match):
    """The values of the one row matching every field."""
    for r in rows:
        if all(r.get(k) == val for k, val in match.items()):
            return r.get("v", [])
    return []


def placed(loop_anchor, single_x, single_anchor):
    """A single-mode figure placed on the loop scale, round by round: the
    anchor's loop value plus the single-mode difference to the anchor."""
    n = min(len(loop_anchor), len(single_x), len(single_anchor))
    return [loop_anchor[i] + single_x[i] - single_anchor[i] for i in range(n)]


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


# ---- section 1 -------------------------------------------------------------

FRAMES = (64, 1514)
HOOKS = ("xdp", "tc")
BASELINES = (("xdp_drop", "XDP_DROP"), ("xdp_tx_swap", "swap MACs, XDP_TX"),
             ("xdp_parse_lookup", "parse Eth/IPv4/TCP + 1 hash lookup"))
PATHS = (  # path, flow, label, reference for "× reference" (path, flow) or None, target
    ("dr", "est", "DR, established flow", None, "≤ 1.5× parse+lookup"),
    ("dr", "new", "DR, first packet (schedule + insert)", ("dr", "est"), "≤ 2× established"),
    ("tun", "est", "TUN, established flow", None, "≤ 1.5× parse+lookup"),
    ("tun", "new", "TUN, first packet (schedule + insert)", ("tun", "est"), "≤ 2× established"),
    ("nat", "est", "NAT request, established flow", None, "≤ 1.5× parse+lookup"),
    ("nat", "new", "NAT request, first packet (schedule + insert both entries)", ("nat", "est"),
     "≤ 2× established"),
    ("nat_reply", "est", "NAT reply (real server → client)", ("nat", "est"), "≤ 1.5× parse+lookup"),
    ("fnat", "est", "FULLNAT request, established flow", None, "≤ 1.5× parse+lookup"),
    ("fnat", "new", "FULLNAT request, first packet (schedule + local port claim + insert)",
     ("fnat", "est"), "≤ 2× established"),
    ("fnat_reply", "est", "FULLNAT reply (real server → client)", ("fnat", "est"),
     "≤ 1.5× parse+lookup"),
    ("fnat", "toa", "FULLNAT handshake ACK with TOA insertion", ("fnat", "est_rewritten"), ""),
    ("fnat", "est_rewritten", "FULLNAT ACK, established, entry rewritten before each "
     "packet (the TOA row's control)", ("fnat", "est"), ""),
    ("nonsvc", "-", "not a service (passed)", None, ""),
)


def xvs_series(pkt, hook, path, flow, frame):
    """(values on the loop scale, how they were obtained)."""
    loop = pick(pkt, prog="xvs", hook=hook, path=path, flow=flow, frame=frame, method="loop")
    if loop:
        return loop, "loop"
    single = pick(pkt, prog="xvs", hook=hook, path=path, flow=flow, frame=frame,
                  method="single")
    anchor_l = pick(pkt, prog="xvs", hook=hook, path="dr", flow="est", frame=frame,
                    method="loop")
    anchor_s = pick(pkt, prog="xvs", hook=hook, path="dr", flow="est", frame=frame,
                    method="single")
    return placed(anchor_l, single, anchor_s), "single, placed"


def base(pkt, prog, frame, method="loop"):
    hook = "tc" if prog.startswith("tc_") else "xdp"
    return pick(pkt, prog=prog, hook=hook, frame=frame, method=method)


def section_pkt(rows, rounds, calls):
    pkt = [r for r in rows if r.get("sec") == "pkt"]
    out = ["## 1. Per-packet cost (BPF_PROG_TEST_RUN)\n"]
    out.append(
        "Every packet runs through the real `xvs_xdp` and `xvs_tc` programs, loaded by "
        "the packet-test fixture (tests/harness/pkt.c) with production-size tables "
        "(connection table 1,048,576) in a private network namespace, the benchmark "
        "pinned to one CPU. The fixture's standard services are used: TCP VIP:80 → one "
        "DR real server, TCP VIP:443 → one TUN real server, both on the ingress link "
        "(MTU raised to 1600 so a 1514-byte frame plus the 20-byte TUN header is "
        "forwarded, not answered with fragmentation-needed). Frames are 64 bytes "
        "(Ethernet + IPv4 + TCP + 10 bytes) and 1514 bytes (a 1500-byte IPv4 packet). "
        "Each figure is the median of {} rounds, [min–max]; the baselines run in the same "
        "process, on the same packets, in every round.\n".format(rounds))
    out.append(
        "Two timings, both by the kernel's own clock:\n\n"
        "- **loop**: one test run with repeat = 1,000,000 of one packet; the kernel's "
        "mean per run. Valid when repeating the packet takes the same path: the "
        "baselines, DR on an established flow (a MAC rewrite: the next run sees the same "
        "flow) and a packet that is passed untouched.\n"
        "- **single, placed**: {:,} test runs with repeat = 1, each with a packet of our "
        "own: a never-seen 5-tuple for a first packet (the connection table is emptied "
        "before each figure, so it has room), and the original packet again for TUN, NAT "
        "and FULLNAT (repeating a rewritten packet would measure another path). A run of one "
        "packet pays a per-call cost that a loop does not (the timer around one run, "
        "caches disturbed by the syscall), and that cost grows with the program: "
        "{:.0f} ns more for XDP_DROP, {:.0f} ns more for parse+lookup, {:.0f} ns more for "
        "xvs's established DR path (64 B, XDP). So it is not a constant to subtract. A "
        "single figure is placed on the loop scale round by round: established DR "
        "(loop) + (the path, single − established DR, single), same program, hook and "
        "frame size. That is the path's extra work over an established DR packet, as "
        "measured one packet at a time, added to a loop figure.\n".format(
            calls,
            med(base(pkt, "xdp_drop", 64, "single")) - med(base(pkt, "xdp_drop", 64)),
            med(base(pkt, "xdp_parse_lookup", 64, "single")) - med(base(pkt, "xdp_parse_lookup", 64)),
            med(pick(pkt, prog="xvs", hook="xdp", path="dr", flow="est", frame=64, method="single"))
            - med(pick(pkt, prog="xvs", hook="xdp", path="dr", flow="est", frame=64, method="loop"))))
    out.append(
        "NAT and FULLNAT use the fixture's standard services too: TCP VIP:85 → the same "
        "real server by NAT, TCP VIP:87 → that real server's port 8087 by FULLNAT from the "
        "service's one local address (10.99.0.201, on the ingress link). Their packets are "
        "rewritten in place, so a loop would run the rewritten packet again: they are "
        "single figures only. What each row includes:\n\n"
        "- **request, established**: the client's ACK on an established connection: lookup, "
        "state update, fib lookup toward the real server, address/port rewrite with "
        "incremental IP and TCP checksums (tc: the kernel's checksum helpers), MAC rewrite.\n"
        "- **reply**: the real server's ACK (built by the test harness as the real server "
        "would send it: to the client for NAT, to the local address and port the data plane "
        "chose for FULLNAT): a miss in the connection table, a hit in the reply table "
        "(`xvs_conns_out`), the connection's entry, the OUTPUT state update, fib lookup "
        "toward the client, rewrite.\n"
        "- **NAT first packet**: a SYN of a never-seen 5-tuple: schedule, insert the "
        "connection and its reply entry, rewrite.\n"
        "- **FULLNAT first packet**: the same plus the local-port claim (a random port of "
        "1025–65535 inserted as the reply entry with `BPF_NOEXIST`, retried on a clash, in "
        "`bpf_loop`). All new flows go to the one real server from the one local address, "
        "so each claims a port of the same 64,511; the tables are emptied (between runs, "
        "outside the kernel's timing) every 4,096 new flows, so the figure is a claim with "
        "at most 6% of the range in use, not one in a range filling up as the measurement "
        "goes.\n"
        "- **FULLNAT handshake ACK with TOA**: the client's ACK that moves the connection "
        "from SYN_RECV to ESTABLISHED, which gets TCP option 254 (8 bytes: the packet grows "
        "and the payload moves up by 8 bytes, the IP and TCP checksums are adjusted). For "
        "every measured packet to really insert TOA, the benchmark writes the connection's "
        "entry back in SYN_RECV before each run (a map update from user space, between "
        "runs, outside the kernel's timing); `toa_added` must move by exactly the number of "
        "packets. The rewrite replaces the hash element, which changes what is in the "
        "cache, so the same ACK is also measured with the same per-packet rewrite back to "
        "ESTABLISHED (the control row): the TOA row's “× reference” and the table below "
        "are the difference between the two, i.e. TOA insertion plus the state change. "
        "The 1514-byte frame carries 1,460 bytes of payload that TOA insertion moves "
        "(a real handshake ACK usually carries none; the 64-byte frame carries 10).\n")
    out.append(
        "Every measured run is checked: the program's return code, and for xvs every one "
        "of the data plane's counters before and after the figure: `rx`, the counter of the "
        "expected reason (`fwd_dr`, `fwd_tun`, `fwd_nat`, `reply_nat`, `fwd_fullnat`, "
        "`reply_fullnat`, `pass_no_service`) and, for the TOA row, `toa_added`, must each "
        "have moved by exactly the number of packets, `conn_new` by that number for first "
        "packets and not at all otherwise, and every other counter not at all, so no figure "
        "comes from another path than the one it names.\n")

    out.append("### Baselines (ns per packet)\n")
    brows = []
    for prog, label in BASELINES + (("xdp_fib_lookup", "parse + bpf_fib_lookup + MAC rewrite, XDP_TX (explains xvs's cost, not a baseline of the issue)"),
                                    ("tc_drop", "tc: TC_ACT_SHOT (the tc hook's floor)")):
        brows.append([label, "`{}`".format(prog)] + [cell(base(pkt, prog, f)) for f in FRAMES])
    out.append(table(["program", "name", "64 B", "1514 B"], brows))

    out.append("\n### xvs paths (ns per packet, ratios to the baselines of the same frame size)\n")
    out.append("“× reference”: a first packet against its own established flow, a reply "
               "against the request of the same method, the TOA handshake ACK against its "
               "control, the control against the plain FULLNAT established row.\n")
    head = ["hook", "path", "frame", "timing", "ns/packet", "× XDP_DROP", "× MAC swap",
            "× parse+lookup", "× reference", "target"]
    prow = []
    for hook in HOOKS:
        for frame in FRAMES:
            for path, flow, label, ref, target in PATHS:
                v, how = xvs_series(pkt, hook, path, flow, frame)
                refv = xvs_series(pkt, hook, ref[0], ref[1], frame)[0] if ref else []
                prow.append([hook, label, "{} B".format(frame), how, cell(v),
                             ratio(v, base(pkt, "xdp_drop", frame)),
                             ratio(v, base(pkt, "xdp_tx_swap", frame)),
                             ratio(v, base(pkt, "xdp_parse_lookup", frame)),
                             ratio(v, refv) if ref else "", target])
    out.append(table(head, prow))

    out.append("\n### What TOA insertion costs (ns per packet)\n")
    out.append("The handshake ACK with TOA minus its control (same packet, same per-packet "
               "rewrite of the entry, but ESTABLISHED, so no TOA and no state change), round "
               "by round, both measured one packet at a time:\n\n")
    trow = []
    for hook in HOOKS:
        row = [hook]
        for frame in FRAMES:
            def single(flow):
                return pick(pkt, prog="xvs", hook=hook, path="fnat", flow=flow, frame=frame,
                            method="single")
            toa, ctl = single("toa"), single("est_rewritten")
            n = min(len(toa), len(ctl))
            row.append(cell([toa[i] - ctl[i] for i in range(n)]))
        trow.append(row)
    out.append(table(["hook"] + ["{} B frame".format(f) for f in FRAMES], trow))
    return "\n".join(out), pkt


# ---- section 2 -------------------------------------------------------------

def section_table(rows, plot_dir, tmp):
    t = [r for r in rows if r.get("sec") == "table"]
    mem = [r for r in rows if r.get("sec") == "mem"]
    fills = sorted({r["fill"] for r in t if r.get("what") == "est_hot"})
    out = ["## 2. Connection-table scale\n"]
    out.append(
        "The connection table (`xvs_conns`, a plain hash of 1,048,576 entries: "
        "`XVS_CONN_MAX_DEFAULT`, the size libxvs loads when `--conn-max` does not say "
        "otherwise, and the configured maximum here; NAT and FULLNAT connections also have an entry in "
        "`xvs_conns_out`, the reply table of the same capacity) is emptied and filled from "
        "user space with N live established DR connections (`bpf_map_update_batch`), then "
        "the XDP program runs ACKs of those connections. *One flow* repeats one "
        "connection's packet in a loop (hot in the cache); *many flows* sends each packet "
        "to a different live connection picked at random over the whole table (single "
        "runs, placed on the loop scale against the one-flow figures of the same fill and "
        "round), which is what a busy director sees.\n")
    out.append(
        "The new-flow rows send SYNs of never-seen 5-tuples of each method into an empty "
        "table and into the full one (1,048,576 live DR connections). The table is a plain "
        "hash, not an LRU, so that a NAT/FULLNAT connection's two entries are never split by "
        "eviction: an insert into the full table is refused. A new DR flow is then scheduled "
        "and forwarded but not recorded (`conn_table_full` and `fwd_dr` count it; its next "
        "packets find no entry); a new NAT or FULLNAT flow is dropped (`conn_table_full`), "
        "since its replies would have nowhere to go, after FULLNAT has claimed a local port "
        "and given it back. Every packet is checked to have taken exactly that path. The "
        "slowest single run of each full-table figure is shown too: an insert that finds the "
        "table full may do more than fail (a sweep of expired entries, for instance, which "
        "over a million entries takes milliseconds), and a mean over many runs would hide a "
        "rare long one. On this shared VM any figure has a slowest run of some tens of µs "
        "(an interrupt, the hypervisor), so only well beyond that does the column say "
        "something about the data plane.\n")
    base_hot = pick(t, fill=fills[0], what="est_hot", method="loop") if fills else []
    base_spread = []
    prow, hot_dat, spread_dat = [], [], []
    for fill in fills:
        hot = pick(t, fill=fill, what="est_hot", method="loop")
        hot_s = pick(t, fill=fill, what="est_hot", method="single")
        spread = placed(hot, pick(t, fill=fill, what="est_spread", method="single"), hot_s)
        if fill == fills[0]:
            base_spread = spread
        entries = pick(t, fill=fill, what="entries")
        prow.append(["{:,}".format(fill), "{:,}".format(int(entries[0])) if entries else "n/a",
                     cell(hot), ratio(hot, base_hot), cell(spread), ratio(spread, base_spread),
                     "≤ 1.2× from 1k to 1M"])
        if hot:
            hot_dat.append((fill, med(hot), min(hot), max(hot)))
        if spread:
            spread_dat.append((fill, med(spread), min(spread), max(spread)))
    out.append(table(["live connections", "entries present", "established, one flow (ns)",
                      "× at 1k", "established, many flows (ns)", "× at 1k", "target"], prow))
    full = fills[-1] if fills else 0
    est_full_l = pick(t, fill=full, what="est_hot", method="loop")
    est_full_s = pick(t, fill=full, what="est_hot", method="single")
    est_lo_l = pick(t, fill=fills[0], what="est_hot", method="loop") if fills else []
    est_lo_s = pick(t, fill=fills[0], what="est_hot", method="single") if fills else []
    nrow, new_full, new_room = [], [], []
    for fwd, name, outcome in (("dr", "DR", "forwarded, not recorded"),
                               ("nat", "NAT", "dropped"), ("fnat", "FULLNAT", "dropped")):
        room = placed(est_lo_l, pick(t, fill=0, what="new_room", fwd=fwd, method="single"),
                      est_lo_s)
        fullv = placed(est_full_l, pick(t, fill=full, what="new_full", fwd=fwd, method="single"),
                       est_full_s)
        worst = pick(t, fill=full, what="new_full_max", fwd=fwd)
        after = pick(t, fill=full, what="entries_after_new", fwd=fwd)
        after_out = pick(t, fill=full, what="out_entries_after_new", fwd=fwd)
        if fwd == "dr":
            new_full, new_room = fullv, room
        nrow.append([name, "table with room (empty): recorded", cell(room), "1.00×",
                     ratio(room, est_lo_l), "", ""])
        nrow.append([name, "table full ({:,}): {}".format(full, outcome), cell(fullv),
                     ratio(fullv, room), ratio(fullv, est_full_l),
                     "{:,.1f} µs".format(max(worst) / 1000) if worst else "n/a",
                     "{:,} / {:,}".format(int(after[0]), int(after_out[0]))
                     if after and after_out else "n/a"])
    out.append("\n" + table(
        ["method", "new flow", "ns/packet", "× with room", "× established (one flow)",
         "slowest run", "entries after (conns / conns_out)"], nrow))
    mem_by = {}
    for r in mem:
        mem_by.setdefault(r["capacity"], {})[r.get("map", "xvs_conns")] = r["v"][0]
    mrow = []
    for cap in sorted(mem_by):
        m = mem_by[cap]
        conns, outm = m.get("xvs_conns"), m.get("xvs_conns_out")
        if conns is None or outm is None:
            continue
        mrow.append(["{:,}".format(cap), "{:.1f}".format(conns / 1048576),
                     "{:.1f}".format(outm / 1048576), "{:.1f}".format(conns / cap),
                     "{:.1f}".format((conns + outm) / cap),
                     "{:.1f}".format((conns + outm) / 1048576)])
    out.append("\nMemory of the connection tables by capacity (kernel accounting, fdinfo "
               "`memlock` of each map):\n\n")
    out.append(table(["capacity (connections)", "xvs_conns (MiB)", "xvs_conns_out (MiB)",
                      "bytes per DR/TUN connection (one entry)",
                      "bytes per NAT/FULLNAT connection (both entries)",
                      "both tables (MiB)"], mrow))
    out.append("\n`xvs_conns`: key 16 B + value 40 B; `xvs_conns_out`: key 16 B + value "
               "(the forward key) 16 B; the rest is the hash's own per-element header and "
               "per-CPU spare elements. Both hashes are preallocated at their capacity, and "
               "libxvs gives the reply table the same capacity as the connection table, so a "
               "director pays for both whatever its services' methods: the per-connection "
               "figures say what one connection of each kind occupies. "
               "![connection table](bench/conn_table.png)\n")
    # plot
    dat = os.path.join(tmp, "conn")
    with open(dat + "_hot.dat", "w") as f:
        f.writelines("{} {} {} {}\n".format(*p) for p in hot_dat)
    with open(dat + "_spread.dat", "w") as f:
        f.writelines("{} {} {} {}\n".format(*p) for p in spread_dat)
    with open(dat + "_new.dat", "w") as f:
        if new_full:
            f.write("{} {} {} {}\n".format(full, med(new_full), min(new_full), max(new_full)))
    gp = """set terminal pngcairo size 820,500 font ',10'
set output '{out}'
set title 'xvs connection table: cost per packet by live connections (XDP, 64 B)'
set logscale x 10
set xrange [500:2000000]
set yrange [0:*]
set xlabel 'live connections in the table (capacity 1,048,576)'
set ylabel 'ns per packet (median, min-max)'
set key below
set grid
plot '{d}_hot.dat' u 1:2:3:4 w yerrorlines lw 2 t 'established, one flow (loop)', \\
     '{d}_spread.dat' u 1:2:3:4 w yerrorlines lw 2 t 'established, a different live flow per packet', \\
     '{d}_new.dat' u 1:2:3:4 w yerrorbars pt 7 ps 1.5 t 'new DR flow into the full table (forwarded, not recorded)', \\
     {room} w lines dt 2 lw 2 t 'new DR flow, table with room'
""".format(out=os.path.join(plot_dir, "conn_table.png"), d=dat,
           room=med(new_room) if new_room else 0)
    return "\n".join(out), gp


# ---- section 2, continued: housekeeping ------------------------------------

def section_maint(rows):
    mt = [r for r in rows if r.get("sec") == "maint"]
    if not mt:
        return ""
    out = ["### The data plane's housekeeping\n"]
    out.append(
        "The first packet after each sweep interval walks the whole connection table "
        "(`bpf_for_each_map_elem`) and removes expired entries, so the live per-server "
        "counts do not drift without a daemon (docs/design.md, \"Live counts and "
        "housekeeping\"). Here every entry is live (the recurring cost; an expired entry "
        "adds its removal), timed by the data plane itself (`xvs_maint.sweep_ns`); it "
        "includes a fixed cost, the walk of the table's empty buckets, that dominates "
        "\"ns per entry\" for a small fill. The interval is at least 20 times the last "
        "sweep's duration.\n")
    fills = sorted({r["fill"] for r in mt if r.get("what") == "sweep"})
    srow = []
    for n in fills:
        v = [x / 1e6 for x in pick(mt, what="sweep", fill=n)]
        per = [x * 1e6 / n for x in v] if n else []
        srow.append(["{:,}".format(n), cell(v, "{:.1f}"), cell(per, "{:.0f}"),
                     "{:.1f}".format(max(1.0, 20 * med(v) / 1000)) if v else "n/a"])
    out.append(table(["entries", "sweep (ms)", "ns per entry", "interval (s)"], srow))
    est = [r for r in mt if r.get("what") == "est_packet"]
    plain = pick(mt, what="plain_packet")
    if est:
        e = est[0]
        ev = [x / 1e6 for x in e.get("v", [])]
        out.append(
            "\nIPVS's estimator, every 2 s, over {:,} services and {:,} real servers in use "
            "(each summed over CPUs): the packet that runs a period takes {} ms; the same "
            "packet when no period has ended, {} ns.\n".format(
                e.get("svcs", 0), e.get("dests", 0), cell(ev, "{:.1f}"), cell(plain)))
    return "\n".join(out)


# ---- section 3 -------------------------------------------------------------

# IPVS's schedulers, in the order ipvsadm's man page lists them.
SCHED_ORDER = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo",
               "ovf", "mh", "twos")

def section_sched(rows, plot_dir, tmp):
    s = [r for r in rows if r.get("sec") == "sched"]
    anchor_l = pick(s, what="anchor", method="loop")
    anchor_s = pick(s, what="anchor", method="single")
    sizes = sorted({r["nrs"] for r in s if "nrs" in r and "v" in r})
    seen = {r["sched"] for r in s if "sched" in r}
    names = [n for n in SCHED_ORDER if n in seen] + sorted(seen - set(SCHED_ORDER))
    out = ["## 3. Scheduler cost per new flow\n"]
    out.append(
        "One service per scheduler and size on a second VIP, with 2 to 4,096 DR real "
        "servers of weights 1, 2, 3, 4 in turn behind one gateway; the schedule is built "
        "by libxvs's own scheduler (`lib/sched_*.c`) and written with the pick method it "
        "names. Each figure sends SYNs of never-seen 5-tuples through the XDP program "
        "(64 B; the connection table is emptied before each) and is placed on the loop "
        "scale against the established DR flow measured in the same round. Every IPVS "
        "scheduler has a row: those libxvs does not register yet say so.\n")
    head = ["scheduler"] + ["{:,} RS".format(n) for n in sizes] + ["schedule slots", "× (largest / 2 RS)", "× established"]
    prow, curves = [], {}
    for name in names:
        status = [r for r in s if r.get("sched") == name and "status" in r and "nrs" not in r]
        if status:
            prow.append([name] + [status[0]["status"]] + [""] * (len(sizes) + 2))
            continue
        cells, slots, series = [], [], []
        for n in sizes:
            v = placed(anchor_l, pick(s, sched=name, nrs=n, method="single"), anchor_s)
            refused = [r for r in s if r.get("sched") == name and r.get("nrs") == n and "status" in r]
            ring = [r.get("ring") for r in s if r.get("sched") == name and r.get("nrs") == n and "ring" in r]
            if refused:
                cells.append(refused[0]["status"].replace("refused", "refused by the scheduler") +
                             (" (mh: at most 4093, as IPVS)" if name == "mh" else ""))
            else:
                cells.append(cell(v))
            if ring:
                slots.append(str(ring[0]))
            if v:
                series.append((n, v))
        curves[name] = series
        flat = ratio(series[-1][1], series[0][1]) if len(series) > 1 else "n/a"
        prow.append([name] + cells + [" / ".join(slots), flat,
                                      ratio(series[-1][1], anchor_l) if series else "n/a"])
    out.append(table(head, prow))
    out.append("\nEstablished DR flow in the same rounds (loop): {} ns. "
               "![schedulers](bench/schedulers.png)\n".format(cell(anchor_l)))
    plots = []
    for name, series in curves.items():
        path = os.path.join(tmp, "sched_{}.dat".format(name))
        with open(path, "w") as f:
            for n, v in series:
                f.write("{} {} {} {}\n".format(n, med(v), min(v), max(v)))
        plots.append("'{}' u 1:2:3:4 w yerrorlines lw 2 t '{}'".format(path, name))
    gp = """set terminal pngcairo size 820,500 font ',10'
set output '{out}'
set title 'xvs: cost of a new flow by real servers in the service (XDP, 64 B)'
set logscale x 2
set xrange [1.5:6000]
set yrange [0:*]
set xlabel 'real servers in the service'
set ylabel 'ns per new flow (median, min-max)'
set key below horizontal
set grid
plot {plots}
""".format(out=os.path.join(plot_dir, "schedulers.png"), plots=", \\\n     ".join(plots) or "0 t ''")
    return "\n".join(out), gp


# ---- section 4 -------------------------------------------------------------

def section_e2e(rows):
    e = [r for r in rows if r.get("sec") == "e2e"]
    setup = next((r for r in rows if r.get("sec") == "e2e_setup"), {})
    order = [r for r in e if "label" in r]
    out = ["## 4. End to end on veth\n"]
    out.append(
        "Fresh namespaces per scenario (tests/e2e/topo.sh's cluster): client — director — "
        "bridge — {rs} real servers, MTU 1600 on the real servers' segment (room for TUN). "
        "nginx (1 worker, `return 200`) on each real server; wrk (2 threads, 64 connections, "
        "{secs} s) from the client: keep-alive requests per second, and with `Connection: "
        "close` one new TCP connection per request (so requests/s = connections/s). UDP: "
        "bench/udp_blast sends {pl}-byte datagrams (64-byte frames) over {fl} flows for "
        "{secs} s; the figure is datagrams per second that reached the real servers' "
        "sockets. {runs} runs each, median [min–max]. Everything — client, director, "
        "servers — shares the machine's 2 cores, so these figures are the whole system's "
        "cost per request and the director is only one part of it; differences under about "
        "20% are within this shared VM's noise (docs: /work/shared/research/perf.md §6).\n"
        .format(rs=setup.get("rs", 2), secs=setup.get("seconds", "?"),
                pl=setup.get("udp_payload", 18), fl=setup.get("udp_flows", 8),
                runs=setup.get("runs", 3)))
    out.append(
        "Scenarios: **plain routing** — the director routes the VIP to rs1 and rs2 as "
        "equal-cost next hops hashed on the 5-tuple (`fib_multipath_hash_policy=1`), the "
        "real servers hold the VIP as for DR: the kernel's forwarding path with no balancer "
        "state, the floor; **nftables DNAT** — VIP → rs1/rs2 by `numgen inc` in prerouting, "
        "replies un-NATed by conntrack (the stock-kernel stand-in for LVS-NAT; conntrack "
        "TIME_WAIT/CLOSE_WAIT/FIN_WAIT timeouts 1 s so close runs do not fill the table); "
        "**HAProxy** 2.6, `mode tcp`, `nbthread 2`, roundrobin (no UDP); **xvs** DR and TUN "
        "with rr, real servers prepared by `xvs-rs up`, on the default hook (tc on veth) "
        "and on native XDP (`--hook xdp`, the bridge port receiving the director's "
        "redirects carries an XDP program, the client's tx checksum offload is off, TUN "
        "real servers decapsulate in XDP); xvs NAT and FULLNAT likewise, with the real "
        "servers' route to the client network via the director (the topology's own), so "
        "their replies come back through it. FULLNAT has two local addresses on the "
        "director's real-server side (`xvsadm -P -t VIP:PORT -z LIP -F d1`, in the real "
        "servers' subnet), and the real servers run `xvs-rs up --mode fullnat`, whose TOA "
        "reader gives nginx the client's address from the TCP option (its cost on the real "
        "servers is part of the figure). On native XDP the replies are redirected too, so "
        "the client's veth carries an XDP program and the real servers' tx checksum offload "
        "is off as well. After each xvs scenario its counters are checked to be non-zero: "
        "`fwd_dr`/`fwd_tun`, `fwd_nat` and `reply_nat`, `fwd_fullnat`, `reply_fullnat` and "
        "`toa_added`.\n")
    def vals(sc, metric):
        return [r["v"] for r in e if r.get("scenario") == sc and r.get("metric") == metric]
    head = ["scenario", "keep-alive req/s", "× routing", "new conn/s", "× routing",
            "UDP pkt/s", "× routing", "UDP share per RS", "errors"]
    prow = []
    for o in order:
        sc = o["scenario"]
        if "status" in o:
            prow.append([o["label"], o["status"]] + [""] * (len(head) - 2))
            continue
        errs = sum(r.get("errors", 0) for r in e if r.get("scenario") == sc)
        row = [o["label"]]
        for metric in ("rps_keepalive", "cps_close", "udp_pps"):
            v = vals(sc, metric)
            row += [cell_si(v) if v else "—", ratio(v, vals("route", metric)) if v else "—"]
        shares = [r.get("per_rs", []) for r in e if r.get("scenario") == sc
                  and r.get("metric") == "udp_pps"]
        tot = [sum(x) for x in zip(*shares)] if shares else []
        row.append(" / ".join("{:.0f}%".format(100 * x / sum(tot)) for x in tot)
                   if tot and sum(tot) else "—")
        row.append(str(errs))
        prow.append(row)
    out.append(table(head, prow))
    trow = []
    for o in order:
        sc = o["scenario"]
        if not sc.startswith("xvs"):
            continue
        v = vals(sc, "cps_close")
        trow.append([o["label"], ratio(v, vals("nft", "cps_close")), "≥ 1×",
                     ratio(v, vals("haproxy", "cps_close")), "≥ 2×"])
    out.append("\nNew connections per second, xvs against the peers:\n\n")
    out.append(table(["xvs", "× nftables DNAT", "target", "× HAProxy", "target"], trow))
    return "\n".join(out), e


# ---- section 5 -------------------------------------------------------------

def fit_power(points):
    """Least squares of log t = log a + b log s; returns (a, b)."""
    xs = [math.log(s) for s, _ in points]
    ys = [math.log(t) for _, t in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return math.exp(my - b * mx), b


def section_ctl(rows, plot_dir, tmp):
    c = [r for r in rows if r.get("sec") == "ctl"]
    def vals(what, services, rs):
        return [r["v"] for r in c if r.get("what") == what and r.get("services") == services
                and r.get("rs") == rs and "v" in r]
    sizes = sorted({r["services"] for r in c if r.get("what") == "restore" and r.get("rs") == 10})
    out = ["## 5. Control plane\n"]
    out.append(
        "Wall time of `xvsadm` runs in a fresh namespace with one veth pair to attach to. "
        "`-R` reads ipvsadm's `-S` format: S services (`-A -t VIP:80 -s wrr`) of 10 DR real "
        "servers each, all addresses distinct, behind one gateway with a permanent "
        "neighbour entry (so adding a real server costs its route lookup, not an ARP wait). "
        "The time includes loading and attaching the data plane on the first service. "
        "Each restore is checked by listing the services back.\n")
    prow, measured, timeout = [], [], None
    for s in sizes:
        v = vals("restore", s, 10)
        to = [r for r in c if r.get("what") == "restore" and r.get("services") == s and r.get("status") == "timeout"]
        if to and not v:
            timeout = (s, to[0]["limit"])
            prow.append(["{:,} × 10".format(s), "did not finish within {} s".format(to[0]["limit"]), "", "", ""])
            continue
        measured.append((s, med(v)))
        prow.append(["{:,} × 10".format(s), cell(v, "{:.2f}"), len(v),
                     "{:.0f} µs".format(med(v) / (s * 11) * 1e6),
                     cell(vals("list", s, 10), "{:.3f}")])
    big = [p for p in measured if p[0] >= 1000]
    fit = fit_power(big) if len(big) >= 2 else None
    out.append(table(["services × real servers", "-R (s)", "runs", "per line", "-L -n (s)"], prow))
    m10k = dict(measured).get(10000)
    if fit:
        a, b = fit
        out.append(
            "\nFrom 1,000 services up the time grows as S^{:.2f} (least squares over the "
            "sizes ≥ 1,000 measured here): the total grows roughly {} with the number of "
            "real servers restored. Extrapolated to 10,000 × 10: {:.0f} s.{} Target: ≤ 1 s. "
            .format(b, "quadratically" if b > 1.8 else "linearly" if b < 1.2 else "between linearly and quadratically",
                    a * 10000 ** b,
                    " Measured: {:.1f} s.".format(m10k) if m10k else
                    " The 10,000-service run did not finish within {} s, so that figure is an "
                    "extrapolation, not a measurement.".format(timeout[1]) if timeout else ""))
    out.append(
        "Where the time goes: libxvs finds services and real servers by index "
        "(lib/model.c), so a line costs about the same however much is loaded; what "
        "remains per real server is its route lookup over rtnetlink (one kept socket) "
        "and half a dozen map updates (real server, its statistics, the service's new "
        "schedule and entry). Reaching the 1-second target needs batching those "
        "per restore rather than per line. ![restore](bench/restore.png)\n")
    orow = []
    for what, label in (("restore", "-R of one service with 1,000 real servers"),
                        ("rs_add", "-a one real server (service of 1,000)"),
                        ("rs_del", "-d one real server (service of 1,000)"),
                        ("list", "-L -n (one service of 1,000)")):
        rs = 1000
        v = vals(what, 1, rs)
        orow.append([label, cell(v, "{:.3f}"), len(v)])
    out.append("\n" + table(["operation", "seconds", "runs"], orow))
    # plot
    dat = os.path.join(tmp, "restore.dat")
    with open(dat, "w") as f:
        for s, t in measured:
            f.write("{} {}\n".format(s, t))
    fitline = "{} * x ** {}".format(*fit) if fit else "1/0"
    gp = """set terminal pngcairo size 820,500 font ',10'
set output '{out}'
set title 'xvsadm -R: services of 10 real servers each'
set logscale xy 10
set xrange [50:20000]
set xlabel 'services (x 10 real servers)'
set ylabel 'seconds (median)'
set key top left
set grid
plot '{dat}' u 1:2 w linespoints pt 7 lw 2 t 'measured', \\
     {fit} w lines dt 2 t 'power-law fit (sizes >= 1,000)', \\
     '-' u 1:2 w points pt 6 ps 2 t 'target: 10,000 x 10 in 1 s'
10000 1
e
""".format(out=os.path.join(plot_dir, "restore.png"), dat=dat, fit=fitline)
    return "\n".join(out), gp, fit, m10k, timeout


# ---- the document ------------------------------------------------------------

def main():
    results, out_md, plot_dir, elapsed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rows = load(results)
    m = next((r for r in rows if r.get("sec") == "machine"), {})
    setup = next((r for r in rows if r.get("sec") == "pkt_setup"), {})
    rounds, calls = setup.get("rounds", 0), setup.get("calls", 0)
    os.makedirs(plot_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        s1, pkt = section_pkt(rows, rounds, calls)
        s2, gp2 = section_table(rows, plot_dir, tmp)
        s2 += "\n" + section_maint(rows)
        s3, gp3 = section_sched(rows, plot_dir, tmp)
        s4, e2e = section_e2e(rows)
        s5, gp5, fit, m10k, timeout = section_ctl(rows, plot_dir, tmp)
        for gp in (gp2, gp3, gp5):
            subprocess.run(["gnuplot"], input=gp.encode(), check=True)
        summary = targets(rows, pkt, e2e, fit, m10k, timeout)
    doc = [
        "# xvs benchmarks\n",
        "Written by `make bench` (bench/run.sh → bench/report.py) on {date}, commit "
        "`{commit}`; the whole run took {mins} min {secs} s. Do not edit by hand: run "
        "`make bench` again.\n".format(date=m.get("date", "?"), commit=m.get("commit", "?"),
                                       mins=elapsed // 60, secs=elapsed % 60),
        "**Machine**: Linux {kernel}, {cpu} ({hv} guest), {cores} cores, {mem}; clang {clang}, "
        "libbpf {libbpf}, nginx {nginx}, HAProxy {haproxy}, wrk {wrk}, nftables {nft}. The "
        "machine is shared with other work, so every figure is a ratio to a baseline measured "
        "in the same run, and every figure carries its spread: median [min–max] of the rounds "
        "or runs.\n".format(**{k: m.get(k, "?") for k in (
            "kernel", "cpu", "hv", "cores", "mem", "clang", "libbpf", "nginx", "haproxy",
            "wrk", "nft")} | {"hv": m.get("hypervisor") or "virtual machine"}),
        "Sections: [1. per-packet cost](#1-per-packet-cost-bpf_prog_test_run), "
        "[2. connection table](#2-connection-table-scale), "
        "[3. schedulers](#3-scheduler-cost-per-new-flow), "
        "[4. end to end](#4-end-to-end-on-veth), [5. control plane](#5-control-plane). "
        "The code: bench/pkt_bench.c (1–3 and the housekeeping), bench/baseline.bpf.c (the baseline programs), "
        "bench/e2e.sh and bench/udp_blast.c (4), bench/ctl.sh (5).\n",
        "## Targets\n",
        "The targets the project is chasing, next to what this run measured. They are not "
        "tests: nothing fails when one is missed.\n",
        summary, s1, s2, s3, s4, s5,
    ]
    with open(out_md, "w") as f:
        f.write("\n".join(doc))


def targets(rows, pkt, e2e, fit, m10k, timeout):
    t = [r for r in rows if r.get("sec") == "table"]
    fills = sorted({r["fill"] for r in t if r.get("what") == "est_hot"})
    trow = []
    for hook in HOOKS:
        est, _ = xvs_series(pkt, hook, "dr", "est", 64)
        new, _ = xvs_series(pkt, hook, "dr", "new", 64)
        trow.append(["established flow ≤ 1.5× parse+lookup (DR, 64 B, {})".format(hook),
                     ratio(est, base(pkt, "xdp_parse_lookup", 64))])
        trow.append(["new flow ≤ 2× established (DR, 64 B, {})".format(hook), ratio(new, est)])
        for path, name in (("nat", "NAT"), ("fnat", "FULLNAT")):
            est_m, _ = xvs_series(pkt, hook, path, "est", 64)
            new_m, _ = xvs_series(pkt, hook, path, "new", 64)
            trow.append(["established flow ≤ 1.5× parse+lookup ({} request, 64 B, {})".format(
                name, hook), ratio(est_m, base(pkt, "xdp_parse_lookup", 64))])
            trow.append(["new flow ≤ 2× established ({}, 64 B, {})".format(name, hook),
                         ratio(new_m, est_m)])
    if len(fills) >= 2:
        lo, hi = fills[0], fills[-1]
        def spread(fill):
            return placed(pick(t, fill=fill, what="est_hot", method="loop"),
                          pick(t, fill=fill, what="est_spread", method="single"),
                          pick(t, fill=fill, what="est_hot", method="single"))
        trow.append(["flat ≤ 1.2× from 1k to 1M connections (one flow; a different flow per packet)",
                     "{}; {}".format(ratio(pick(t, fill=hi, what="est_hot", method="loop"),
                                           pick(t, fill=lo, what="est_hot", method="loop")),
                                     ratio(spread(hi), spread(lo)))])
    def cps(sc):
        return [r["v"] for r in e2e if r.get("scenario") == sc and r.get("metric") == "cps_close"]
    for sc, label in (("xvs_dr_tc", "DR, tc"), ("xvs_dr_xdp", "DR, native XDP"),
                      ("xvs_nat_tc", "NAT, tc"), ("xvs_fnat_tc", "FULLNAT, tc")):
        trow.append(["new connections/s ≥ nftables DNAT and ≥ 2× HAProxy (xvs {})".format(label),
                     "{} and {}".format(ratio(cps(sc), cps("nft")), ratio(cps(sc), cps("haproxy")))])
    if m10k:
        trow.append(["10,000 services × 10 real servers loaded in ≤ 1 s", "{:.1f} s (measured)".format(m10k)])
    elif fit:
        trow.append(["10,000 services × 10 real servers loaded in ≤ 1 s",
                     "≈ {:.0f} s (extrapolated{})".format(
                         fit[0] * 10000 ** fit[1],
                         "; did not finish within {} s".format(timeout[1]) if timeout else "")])
    return table(["target", "measured"], trow)


if __name__ == "__main__":
    main()
