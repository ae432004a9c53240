#!/usr/bin/env python3
"""freeze_proxy.py - a TCP proxy to PostgreSQL's Unix socket that can go
silent, as a cut link does: connections stay open, nothing passes either
way and nothing is refused, until it thaws.

    freeze_proxy.py SOCKET PIDFILE

listens on a free port of 127.0.0.1 and forwards each connection to the
Unix socket SOCKET. SIGUSR1 freezes every connection (and those that
arrive while frozen); SIGUSR2 thaws them, and what was held back flows
on; SIGTERM ends it. Once it listens it writes "PID PORT" to PIDFILE.
"""
import asyncio
import os
import signal
import sys

frozen = False
pairs = []   # (client transport, server transport) of every live connection


class Side(asyncio.Protocol):
    def __init__(self):
        self.peer = None
        self.transport = None
        self.held = []

    def connection_made(self, transport):
        self.transport = transport
        if frozen:
            transport.pause_reading()

    def data_received(self, data):
        if self.peer is None or self.peer.transport is None:
            self.held.append(data)
        else:
            self.peer.transport.write(data)

    def connection_lost(self, exc):
        if self.peer and self.peer.transport:
            self.peer.transport.close()


async def open_pair(client: Side, sock: str):
    loop = asyncio.get_running_loop()
    try:
        _, server = await loop.create_unix_connection(Side, sock)
    except OSError:
        client.transport.close()
        return
    client.peer, server.peer = server, client
    for data in client.held:
        server.transport.write(data)
    client.held = []
    pairs.append((client, server))


def set_frozen(value: bool):
    global frozen
    frozen = value
    for c, s in list(pairs):
        for side in (c, s):
            if side.transport is None or side.transport.is_closing():
                continue
            if value:
                side.transport.pause_reading()
            else:
                side.transport.resume_reading()


async def main():
    sock, pidfile = sys.argv[1], sys.argv[2]
    loop = asyncio.get_running_loop()

    def accepted():
        side = Side()
        loop.call_soon(lambda: loop.create_task(open_pair(side, sock)))
        return side

    server = await loop.create_server(accepted, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    loop.add_signal_handler(signal.SIGUSR1, set_frozen, True)
    loop.add_signal_handler(signal.SIGUSR2, set_frozen, False)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    with open(pidfile + ".tmp", "w") as f:
        f.write("%d %d\n" % (os.getpid(), port))
    os.rename(pidfile + ".tmp", pidfile)
    async with server:
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except RuntimeError:
        pass   # stopped by SIGTERM
