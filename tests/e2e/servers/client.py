#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Client side of the e2e tests and the demo (talks to rs_server.py through
# the director). Every new connection or datagram uses a fresh source port.
#
#   client.py whoami ADDR PORT N     N HTTP GET /whoami, one per connection;
#                                    prints each answer "rsN CLIENT:PORT"
#   client.py udp ADDR PORT N        N datagrams from fresh sockets; prints
#                                    each answer "rsN CLIENT:PORT payload"
#   client.py banner ADDR PORT N     N connections to the echo server; prints
#                                    each banner "rsN CLIENT:PORT"
#   client.py pmtu ADDR PORT SIZE   path MTU discovery over UDP with DF: sends
#                                    SIZE-byte datagrams until one is answered
#                                    or the kernel learns a smaller path MTU;
#                                    prints "pmtu M answered-size S"
#   client.py chat ADDR PORT --progress F --stop F [--interval S]
#                                    one long-lived echo connection: a line
#                                    every S seconds, each checked byte for
#                                    byte; F gets the count of echoed lines;
#                                    ends when the stop file appears
#   client.py chats ADDR PORT N --progress F --stop F [--interval S]
#                                    N long-lived echo connections from one
#                                    process: every S seconds a line on each,
#                                    checked byte for byte; prints each
#                                    banner, F gets the rounds completed
# A request that fails prints "ERROR ..." and makes the exit status 1.
import argparse
import errno
import http.client
import os
import socket
import sys
import time

TIMEOUT_S = 5


def cmd_whoami(a):
    bad = 0
    for i in range(a.n):
        try:
            c = http.client.HTTPConnection(a.addr, a.port, timeout=TIMEOUT_S)
            c.request("GET", "/whoami", headers={"Connection": "close"})
            r = c.getresponse()
            body = r.read().decode().strip()
            c.close()
            if r.status != 200:
                raise OSError("HTTP status %d" % r.status)
            print(body, flush=True)
        except OSError as e:
            print("ERROR request %d: %s" % (i + 1, e), flush=True)
            bad += 1
    return 1 if bad else 0


def cmd_udp(a):
    bad = 0
    for i in range(a.n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT_S)
        payload = ("datagram-%d" % (i + 1)).encode()
        try:
            s.sendto(payload, (a.addr, a.port))
            data, _ = s.recvfrom(65536)
            if not data.endswith(b" " + payload):
                raise OSError("reply does not carry the payload: %r" % data)
            print(data.decode(), flush=True)
        except OSError as e:
            print("ERROR datagram %d: %s" % (i + 1, e), flush=True)
            bad += 1
        finally:
            s.close()
    return 1 if bad else 0


def cmd_banner(a):
    bad = 0
    for i in range(a.n):
        try:
            with socket.create_connection((a.addr, a.port), timeout=TIMEOUT_S) as s:
                line, _ = recv_exact_line(s, b"")
            print(line.decode().strip(), flush=True)
        except OSError as e:
            print("ERROR connection %d: %s" % (i + 1, e), flush=True)
            bad += 1
    return 1 if bad else 0


IP_MTU_DISCOVER = 10
IP_PMTUDISC_DO = 2
IP_MTU = 14


def cmd_pmtu(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    s.connect((a.addr, a.port))
    s.settimeout(1)
    size = a.n
    for attempt in range(8):
        try:
            s.send(b"p" * size)
            data = s.recv(65536)
            mtu = s.getsockopt(socket.IPPROTO_IP, IP_MTU)
            print("pmtu %d answered-size %d" % (mtu, size), flush=True)
            return 0
        except socket.timeout:
            pass
        except OSError as e:
            # EMSGSIZE: the ICMP fragmentation-needed arrived; retry at the
            # payload that fits the learned path MTU
            if e.errno != errno.EMSGSIZE:
                print("ERROR attempt %d: %s" % (attempt + 1, e), flush=True)
                return 1
        mtu = s.getsockopt(socket.IPPROTO_IP, IP_MTU)
        size = min(size, mtu - 28)
    print("ERROR no answer; path MTU %d" % s.getsockopt(socket.IPPROTO_IP, IP_MTU), flush=True)
    return 1


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def recv_exact_line(sock, buf):
    while b"\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise OSError("connection closed by peer")
        buf += data
    line, _, rest = buf.partition(b"\n")
    return line + b"\n", rest


def cmd_chat(a):
    s = socket.create_connection((a.addr, a.port), timeout=TIMEOUT_S)
    banner, buf = recv_exact_line(s, b"")
    print("banner " + banner.decode().strip(), flush=True)
    sent = echoed = 0
    deadline = time.monotonic() + a.max_seconds
    try:
        while not os.path.exists(a.stop) and time.monotonic() < deadline:
            # vary the length so byte-level corruption or loss shows up
            line = ("line %d %s\n" % (sent + 1, "x" * (sent % 97))).encode()
            s.sendall(line)
            sent += 1
            got, buf = recv_exact_line(s, buf)
            if got != line:
                print("ERROR line %d: sent %r got %r" % (sent, line, got), flush=True)
                return 1
            echoed += 1
            write_atomic(a.progress, "%d\n" % echoed)
            time.sleep(a.interval)
    except OSError as e:
        print("ERROR after %d lines: %s" % (echoed, e), flush=True)
        write_atomic(a.progress, "FAIL\n")
        return 1
    finally:
        s.close()
    print("sent %d echoed %d" % (sent, echoed), flush=True)
    return 0 if sent == echoed and sent > 0 else 1


def cmd_chats(a):
    conns = []
    try:
        for i in range(a.n):
            s = socket.create_connection((a.addr, a.port), timeout=TIMEOUT_S)
            banner, buf = recv_exact_line(s, b"")
            print("banner %s" % banner.decode().strip(), flush=True)
            conns.append([s, buf])
    except OSError as e:
        print("ERROR connection %d: %s" % (len(conns) + 1, e), flush=True)
        write_atomic(a.progress, "FAIL\n")
        return 1
    rounds = sent = echoed = 0
    deadline = time.monotonic() + a.max_seconds
    try:
        while not os.path.exists(a.stop) and time.monotonic() < deadline:
            for i, c in enumerate(conns):
                line = ("conn %d round %d %s\n" % (i, rounds, "y" * ((rounds + i) % 61))).encode()
                c[0].sendall(line)
                sent += 1
                got, c[1] = recv_exact_line(c[0], c[1])
                if got != line:
                    print("ERROR conn %d round %d: sent %r got %r" % (i, rounds, line, got),
                          flush=True)
                    return 1
                echoed += 1
            rounds += 1
            write_atomic(a.progress, "%d\n" % rounds)
            time.sleep(a.interval)
    except OSError as e:
        print("ERROR round %d after %d lines: %s" % (rounds, echoed, e), flush=True)
        write_atomic(a.progress, "FAIL\n")
        return 1
    finally:
        for c in conns:
            c[0].close()
    print("sent %d echoed %d conns %d rounds %d" % (sent, echoed, len(conns), rounds), flush=True)
    return 0 if sent == echoed and rounds > 0 else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("whoami", "udp", "banner", "pmtu"):
        p = sub.add_parser(name)
        p.add_argument("addr")
        p.add_argument("port", type=int)
        p.add_argument("n", type=int)
    p = sub.add_parser("chats")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.add_argument("--progress", required=True)
    p.add_argument("--stop", required=True)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--max-seconds", type=float, default=240)
    p = sub.add_parser("chat")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--progress", required=True)
    p.add_argument("--stop", required=True)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--max-seconds", type=float, default=180)
    a = ap.parse_args()
    sys.exit({"whoami": cmd_whoami, "udp": cmd_udp, "banner": cmd_banner, "pmtu": cmd_pmtu,
              "chat": cmd_chat, "chats": cmd_chats}[a.cmd](a))


if __name__ == "__main__":
    main()
