#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Real-server stand-in for e2e tests and the demo: on the VIP it answers
# HTTP (GET /whoami, GET of a file from --root, answered with the status
# in FILE.status when that exists, POST answering the body's sha256), TCP
# echo and UDP, each naming
# this server and the peer address it saw (which must be the real client's).
#
#   rs_server.py --name rs1 --addr VIP [--http 80] [--echo 7000] [--udp 7001]
#                [--root DIR] [--ready FILE]
#
# Sockets use IP_FREEBIND so the server may start before the VIP is on lo.
# --ready FILE is written once every socket listens: tests poll for it.
import argparse
import hashlib
import http.server
import os
import socket
import socketserver
import sys
import threading

IP_FREEBIND = 15


def freebind(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self):
        freebind(self.socket)
        super().server_bind()


class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        freebind(self.socket)
        super().server_bind()


def make_http_handler(name, root):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_body(self, body, ctype):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-RS", name)
            self.send_header("X-Peer", "%s:%d" % self.client_address)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/whoami":
                line = "%s %s:%d\n" % (name, *self.client_address)
                self.send_body(line.encode(), "text/plain")
                return
            rel = os.path.basename(self.path)
            path = os.path.join(root, rel) if root and rel else None
            # FILE.status holds the status to answer for FILE (health
            # checks that fail with a 500 while the server still listens)
            if path is not None and os.path.isfile(path + ".status"):
                with open(path + ".status") as f:
                    code = int(f.read().strip() or "200")
                body = b""
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        body = f.read()
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if path is None or not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                self.send_body(f.read(), "application/octet-stream")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            digest = hashlib.sha256()
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    break
                digest.update(chunk)
                length -= len(chunk)
            line = "%s %s:%d %s\n" % (name, *self.client_address, digest.hexdigest())
            self.send_body(line.encode(), "text/plain")

    return Handler


def make_echo_handler(name):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            banner = "%s %s:%d\n" % (name, *self.client_address)
            self.request.sendall(banner.encode())
            while True:
                data = self.request.recv(65536)
                if not data:
                    return
                self.request.sendall(data)

    return Handler


def make_udp_handler(name):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            head = "%s %s:%d " % (name, *self.client_address)
            sock.sendto(head.encode() + data, self.client_address)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--addr", required=True)
    ap.add_argument("--http", type=int, default=0)
    ap.add_argument("--echo", type=int, default=0)
    ap.add_argument("--udp", type=int, default=0)
    ap.add_argument("--root", default="")
    ap.add_argument("--ready", default="")
    a = ap.parse_args()

    servers = []
    if a.http:
        servers.append(TCPServer((a.addr, a.http), make_http_handler(a.name, a.root)))
    if a.echo:
        servers.append(TCPServer((a.addr, a.echo), make_echo_handler(a.name)))
    if a.udp:
        servers.append(UDPServer((a.addr, a.udp), make_udp_handler(a.name)))
    if not servers:
        sys.exit("rs_server: nothing to serve (give --http, --echo or --udp)")
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    threading.Event().wait()


if __name__ == "__main__":
    main()
