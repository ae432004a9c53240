#!/usr/bin/env python3
"""ws_tail.py PORT PATH SECONDS [COUNT]: a minimal WebSocket client for the
cluster test. Connects to 127.0.0.1:PORT PATH (nginx -> goldwatch-pusher),
prints each text message on a line, answers pings, and stops after SECONDS
or COUNT messages. Exit 1 if the upgrade is refused."""
import base64, os, socket, struct, sys, time

port, path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 0
s = socket.create_connection(("127.0.0.1", port), timeout=5)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, port, key)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    d = s.recv(4096)
    if not d:
        sys.exit(1)
    buf += d
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.stderr.write(head.decode(errors="replace") + "\n")
    sys.exit(1)
print("#connected", flush=True)
end = time.time() + seconds
got = 0

def need(n):
    global buf
    while len(buf) < n:
        left = end - time.time()
        if left <= 0:
            raise TimeoutError
        s.settimeout(left)
        d = s.recv(65536)
        if not d:
            raise EOFError
        buf += d
    out, buf = buf[:n], buf[n:]
    return out

def send(op, data):
    mask = os.urandom(4)
    hdr = bytes([0x80 | op, 0x80 | len(data)]) + mask
    s.sendall(hdr + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

try:
    while not count or got < count:
        b0, b1 = need(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", need(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", need(8))[0]
        data = need(n)
        op = b0 & 0x0F
        if op == 1:
            print(data.decode(), flush=True)
            got += 1
        elif op == 9:
            send(10, data)
        elif op == 8:
            break
except (TimeoutError, EOFError, socket.timeout, OSError):
    pass
