#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Prints every ICMP error (destination unreachable, time exceeded) that
# arrives on one interface, with the quoted packet and whether the outer IP,
# ICMP and quoted IP checksums are valid: what a translating director made
# of an error from the real-server side.
#
#   icmp_watch.py IFACE --ready FILE --stop FILE
# one line per error, written as it arrives:
#   "icmp TYPE CODE mtu M outer SRC>DST inner PROTO SRC:SPORT>DST:DPORT csum ok|bad"
import argparse
import os
import socket
import struct
import sys
import time

from scapy.all import AsyncSniffer  # noqa: E402

ETH_HLEN = 14


def csum_ok(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def describe(raw):
    if len(raw) < ETH_HLEN + 20 or raw[12:14] != b"\x08\x00":
        return None
    ip = raw[ETH_HLEN:]
    ihl = (ip[0] & 0x0f) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 1 or len(ip) < tot or tot < ihl + 8 + 20:
        return None
    icmp = ip[ihl:tot]
    typ, code = icmp[0], icmp[1]
    if typ not in (3, 11):
        return None
    mtu = struct.unpack("!H", icmp[6:8])[0]
    inner = icmp[8:]
    iihl = (inner[0] & 0x0f) * 4
    if len(inner) < iihl + 4:
        return None
    sport, dport = struct.unpack("!HH", inner[iihl:iihl + 4])
    good = csum_ok(ip[:ihl]) and csum_ok(icmp) and csum_ok(inner[:iihl])
    return "icmp %d %d mtu %d outer %s>%s inner %d %s:%d>%s:%d csum %s" % (
        typ, code, mtu, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]),
        inner[9], socket.inet_ntoa(inner[12:16]), sport, socket.inet_ntoa(inner[16:20]), dport,
        "ok" if good else "bad")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    a = ap.parse_args()

    def show(p):
        line = describe(bytes(p.original) if getattr(p, "original", None) else bytes(p))
        if line:
            print(line, flush=True)

    def started():
        with open(a.ready, "w") as f:
            f.write("ready\n")

    sn = AsyncSniffer(iface=a.iface, store=False, prn=show, started_callback=started)
    sn.start()
    deadline = time.monotonic() + a.max_seconds
    while not os.path.exists(a.stop) and time.monotonic() < deadline:
        time.sleep(0.05)
    sn.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
