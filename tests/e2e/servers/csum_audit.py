#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Checksum audit of the IPv4 TCP/UDP packets seen on one interface, for the
# NAT/FULLNAT e2e tests. On veth with offload on, a receiver trusts a packet
# left CHECKSUM_PARTIAL (its L4 field holds only the pseudo-header sum) and
# never checks it, so a rewrite that forgot to fix that sum would pass
# unnoticed there and break on a real NIC. Each packet is classified:
#   full     IP header and L4 checksum valid (UDP 0: no checksum)
#   partial  IP header valid, L4 field = the pseudo-header sum of the packet's
#            own addresses and length (what a device would finish correctly)
#   bad      anything else: printed as "BAD ..." with the header fields
#
#   csum_audit.py IFACE --ready FILE --stop FILE [--max-seconds S]
# writes FILE --ready once sniffing, stops when --stop exists, prints
# "full N partial N bad N" (exit 1 if any is bad or nothing was seen).
import argparse
import os
import struct
import sys
import time

from scapy.all import AsyncSniffer  # noqa: E402  (scapy only here)

ETH_HLEN = 14


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def sum16(data):
    if len(data) % 2:
        data += b"\0"
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


class Audit:
    def __init__(self):
        self.full = self.partial = self.bad = 0
        self.bad_lines = []

    def packet(self, raw):
        if len(raw) < ETH_HLEN + 20 or raw[12:14] != b"\x08\x00":
            return
        ip = raw[ETH_HLEN:]
        ihl = (ip[0] & 0x0f) * 4
        proto = ip[9]
        if ip[0] >> 4 != 4 or proto not in (6, 17) or len(ip) < ihl + 8:
            return
        if struct.unpack("!H", ip[6:8])[0] & 0x3fff:
            return  # a fragment: no whole L4 segment to check
        tot = struct.unpack("!H", ip[2:4])[0]
        l4 = ip[ihl:tot]
        src, dst = ip[12:16], ip[16:20]
        pseudo = sum16(src + dst) + proto + len(l4)
        field_off = 16 if proto == 6 else 6
        field = struct.unpack("!H", l4[field_off:field_off + 2])[0]
        ip_ok = fold(sum16(ip[:ihl])) == 0xffff
        if proto == 17 and field == 0:
            full_ok = True
        else:
            full_ok = fold(pseudo + sum16(l4)) == 0xffff
        p = fold(pseudo)
        partial_ok = field == p or (p in (0, 0xffff) and field in (0, 0xffff))
        if ip_ok and full_ok:
            self.full += 1
        elif ip_ok and partial_ok:
            self.partial += 1
        else:
            self.bad += 1
            sport, dport = struct.unpack("!HH", l4[:4])
            self.bad_lines.append("BAD %s %s:%d > %s:%d len %d ip_csum %s l4_field 0x%04x" % (
                "tcp" if proto == 6 else "udp", ".".join(map(str, src)), sport,
                ".".join(map(str, dst)), dport, tot, "ok" if ip_ok else "bad", field))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    audit = Audit()

    def started():
        with open(a.ready, "w") as f:
            f.write("ready\n")

    sn = AsyncSniffer(iface=a.iface, store=False, started_callback=started,
                      prn=lambda p: audit.packet(bytes(p.original) if getattr(p, "original", None) else bytes(p)))
    sn.start()
    deadline = time.monotonic() + a.max_seconds
    while not os.path.exists(a.stop) and time.monotonic() < deadline:
        time.sleep(0.05)
    sn.stop()
    for line in audit.bad_lines[:20]:
        print(line)
    print("full %d partial %d bad %d" % (audit.full, audit.partial, audit.bad), flush=True)
    sys.exit(1 if audit.bad or audit.full + audit.partial == 0 else 0)


if __name__ == "__main__":
    main()
