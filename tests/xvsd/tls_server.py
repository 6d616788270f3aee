#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""TLS HTTP server for xvsd's SSL_GET tests (tests/unit/test_xvsd_probe.c).

    tls_server.py CERT KEY 4|6 MODE [CLIENT_CA]

Listens on an ephemeral loopback port, prints the port on one line, then
answers every GET with "HTTP/1.0 200 OK" and a body of "sni=NAME" (the
server name the client sent, or None) followed by the request it received.

MODE: notify  - ends each connection with a TLS close_notify
      abrupt  - closes the TCP connection without close_notify
      client  - like notify, but requires a client certificate that
                CLIENT_CA signed
"""
import socket
import ssl
import sys
import threading


def main():
    cert, key, family, mode = sys.argv[1:5]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if mode == "client":
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(sys.argv[5])
    names = {}

    def on_sni(sock, name, _ctx):
        names[id(sock)] = name

    ctx.sni_callback = on_sni
    af, host = (socket.AF_INET6, "::1") if family == "6" else (socket.AF_INET, "127.0.0.1")
    ls = socket.socket(af, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, 0))
    ls.listen(64)
    print(ls.getsockname()[1], flush=True)

    def serve(conn):
        try:
            s = ctx.wrap_socket(conn, server_side=True)
            req = b""
            while b"\r\n\r\n" not in req:
                data = s.recv(4096)
                if not data:
                    break
                req += data
            body = ("sni=%s\n" % names.pop(id(s), None)).encode() + req
            s.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + body)
            if mode == "abrupt":
                s.close()          # no TLS shutdown: no close_notify
            else:
                s.unwrap()         # close_notify
                conn.close()
        except (OSError, ssl.SSLError):
            conn.close()

    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
