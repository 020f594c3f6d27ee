#!/usr/bin/env python3
"""count_relay.py — a TCP relay on loopback that counts the bytes it carries.

Usage: count_relay.py LISTEN_PORT TARGET_PORT COUNT_FILE

Accepts on 127.0.0.1:LISTEN_PORT (backlog 256), connects each client to 127.0.0.1:TARGET_PORT and
copies both ways unchanged. On SIGUSR1 it writes "SEQ DOWN UP CONNECTIONS" to COUNT_FILE (through
a temp file and a rename, so a reader never sees half a line): DOWN = bytes server->client (what
the clients received), UP = client->server, totals since start; SEQ counts the writes, so a reader
can wait for the answer to its own signal. SIGTERM writes once more and exits.
Bytes are counted as they are read from the server, so once a client has exited, every byte it
received is in the count.
"""
import asyncio
import os
import signal
import sys

listen_port, target_port, count_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
down = up = conns = seq = 0


def write_counts():
    global seq
    seq += 1
    tmp = f"{count_file}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{seq} {down} {up} {conns}\n")
    os.replace(tmp, count_file)


async def pipe(reader, writer, is_down):
    global down, up
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if is_down:
                down += len(data)
            else:
                up += len(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            pass


async def handle(client_reader, client_writer):
    global conns
    conns += 1
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer, False), pipe(server_reader, client_writer, True))
    for w in (client_writer, server_writer):
        try:
            w.close()
        except (ConnectionError, OSError):
            pass


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, write_counts)
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port, backlog=256, reuse_address=True)
    write_counts()  # SEQ 1: listening
    async with server:
        await stop
    write_counts()


asyncio.run(main())
