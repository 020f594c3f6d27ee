#!/usr/bin/env python3
"""Loopback TCP proxy that delays every chunk by DELAY_MS in each direction.

Usage: delay_proxy.py LISTEN_PORT TARGET_PORT [DELAY_MS=25]
Simulates a server one round trip (2 x DELAY_MS) away. Chunks keep their order and
are pipelined (each leaves DELAY_MS after it arrived, not after the previous one
left), so only latency is added, not a bandwidth cap. Plain threads: 4 per connection.
"""
import queue
import socket
import sys
import threading
import time


def pipe(src, dst, delay):
    """Copy src -> dst, each chunk held `delay` seconds; forward EOF as a half-close."""
    q = queue.Queue()

    def sender():
        while True:
            due, data = q.get()
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                if data is None:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    try:
        while data := src.recv(65536):
            q.put((time.monotonic() + delay, data))
    except OSError:
        pass
    q.put((time.monotonic() + delay, None))
    t.join()


def handle(client, target, delay):
    try:
        server = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    back = threading.Thread(target=pipe, args=(server, client, delay), daemon=True)
    back.start()
    pipe(client, server, delay)
    back.join()
    client.close()
    server.close()


def main():
    listen, target = int(sys.argv[1]), int(sys.argv[2])
    delay = (float(sys.argv[3]) if len(sys.argv) > 3 else 25.0) / 1000.0
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen))
    ls.listen(256)
    while True:
        client, _ = ls.accept()
        threading.Thread(target=handle, args=(client, target, delay), daemon=True).start()


if __name__ == "__main__":
    main()
