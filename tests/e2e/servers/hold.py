#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Holds N HTTP connections open mid-request, so a test can look at them on
# the real servers (ss, /proc/net/tcp) while they are established; then
# finishes each request and prints each answer's first body line.
#
#   hold.py ADDR PORT N PATH --ready FILE --stop FILE
# connects N times and sends the request line of GET PATH without the
# final empty line; writes the local ports to FILE --ready (one a line);
# when FILE --stop exists, ends each request and prints "PORT BODYLINE".
# Exit 1 (with "ERROR ...") if a connection or an answer fails.
import argparse
import os
import socket
import sys
import time

TIMEOUT_S = 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("path")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    conns = []
    try:
        for _ in range(a.n):
            s = socket.create_connection((a.addr, a.port), timeout=TIMEOUT_S)
            s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n" % (a.path, a.addr)).encode())
            conns.append(s)
    except OSError as e:
        print("ERROR connect %d: %s" % (len(conns) + 1, e), flush=True)
        return 1
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join("%d\n" % s.getsockname()[1] for s in conns))
    os.rename(tmp, a.ready)
    deadline = time.monotonic() + a.max_seconds
    while not os.path.exists(a.stop) and time.monotonic() < deadline:
        time.sleep(0.05)
    bad = 0
    for s in conns:
        port = s.getsockname()[1]
        try:
            s.sendall(b"\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.0 200") and not head.startswith(b"HTTP/1.1 200"):
                raise OSError("answer %r" % head[:40])
            print("%d %s" % (port, body.decode().splitlines()[0]), flush=True)
        except (OSError, IndexError) as e:
            print("ERROR port %d: %s" % (port, e), flush=True)
            bad += 1
        finally:
            s.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
