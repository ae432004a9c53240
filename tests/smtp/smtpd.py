#!/usr/bin/python3
"""
smtpd.py - the real SMTP server of goldwatch's tests (Debian's aiosmtpd):
STARTTLS required, AUTH required (one fixed test user), and every message
it accepts stored as two files the C tests read:

  DIR/mail/NNNNNN.eml    the message as received (DATA, CRLF line ends)
  DIR/mail/NNNNNN.json   the envelope, when it was accepted, its Message-ID
                         and X-Goldwatch-Alert, and (with --describe) the
                         message as Python's email package (a strict,
                         independent MIME parser) reads it: headers
                         decoded, each part decoded, defects

Both are written atomically (temporary file, then rename; the .json last),
so a reader that sees NNNNNN.json sees the whole message.

  /usr/bin/python3 smtpd.py --dir DIR --cert CERT --key KEY [--port PORT]

PORT 0 (the default) binds a free port; the port is written to DIR/port
once the server listens. SMTPD_USER and SMTPD_PASSWORD (environment) are
the only credentials it accepts.

Behaviour for the tests:
  - a recipient starting with "reject-" gets 550 (permanent failure);
    one starting with "tempfail-" gets 451 (temporary failure);
  - while DIR/delay holds a number, DATA waits that many seconds before
    accepting (a slow server);
  - "accepted" is the moment DATA has been received, just before the 250
    reply: received_at in the .json, Unix seconds with microseconds.
"""
import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import re
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def log(msg):
    print("smtpd: " + msg, file=sys.stderr, flush=True)


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def describe(raw):
    """The message as a mail client would read it."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "headers": [[k, str(v)] for k, v in msg.items()],
        "subject": str(msg.get("subject", "")),
        "content_type": msg.get_content_type(),
        "defects": [type(d).__name__ for d in msg.defects],
        "parts": [],
    }
    parts = list(msg.iter_parts()) if msg.is_multipart() else [msg]
    for p in parts:
        try:
            body = p.get_content()
        except Exception as e:  # an undecodable part is a finding, not a crash
            body = None
            out["defects"].append("get_content: %s" % e)
        out["parts"].append({
            "content_type": p.get_content_type(),
            "charset": p.get_content_charset(),
            "transfer_encoding": p.get("content-transfer-encoding", ""),
            "defects": [type(d).__name__ for d in p.defects],
            "body": body if isinstance(body, str) else None,
        })
    return out


class Store:
    def __init__(self, folder, delay_file, describe_messages):
        self.folder = folder
        self.describe = describe_messages
        self.delay_file = delay_file
        self.seq = 0
        for name in os.listdir(folder):  # continue numbering after a restart
            if name.endswith(".json"):
                self.seq = max(self.seq, int(name.split(".")[0]))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject-"):
            return "550 5.1.1 <%s>: no such mailbox (test server)" % address
        if address.startswith("tempfail-"):
            return "451 4.3.0 <%s>: try again later (test server)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            with open(self.delay_file) as f:
                delay = float(f.read().strip() or 0)
        except (OSError, ValueError):
            delay = 0
        if delay > 0:
            await asyncio.sleep(delay)
        received_at = time.time()
        self.seq += 1
        base = os.path.join(self.folder, "%06d" % self.seq)
        raw = envelope.original_content or envelope.content
        write_atomic(base + ".eml", raw)
        head = raw.split(b"\r\n\r\n", 1)[0]
        alert = re.search(rb"^X-Goldwatch-Alert: *(\d+)", head, re.M | re.I)
        mid = re.search(rb"^Message-ID: *(\S+)", head, re.M | re.I)
        info = {
            "seq": self.seq,
            "alert": int(alert.group(1)) if alert else None,
            "message_id": mid.group(1).decode() if mid else None,
            "received_at": received_at,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth_user": session.auth_data.login.decode() if isinstance(
                session.auth_data, LoginPassword) else None,
            "peer": list(session.peer) if session.peer else None,
        }
        if self.describe:
            info.update(describe(raw))
        write_atomic(base + ".json", json.dumps(info).encode())
        return "250 2.0.0 OK: queued as %06d" % self.seq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--describe", action="store_true",
                    help="add the email package's reading of each message to its .json")
    a = ap.parse_args()
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own chatter

    user = os.environ.get("SMTPD_USER", "").encode()
    password = os.environ.get("SMTPD_PASSWORD", "").encode()
    folder = os.path.join(a.dir, "mail")
    os.makedirs(folder, exist_ok=True)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user
              and auth_data.password == password)
        if not ok:
            log("AUTH %s refused for %r" % (mechanism, getattr(auth_data, "login", None)))
            # handled=False: aiosmtpd answers 535 itself
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=auth_data)

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(a.cert, a.key)
    store = Store(folder, os.path.join(a.dir, "delay"), a.describe)

    def factory():
        return SMTP(store, hostname="localhost", tls_context=tls, require_starttls=True,
                    auth_required=True, auth_require_tls=True, authenticator=authenticate,
                    enable_SMTPUTF8=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, host=a.host, port=a.port, reuse_address=True))
    port = server.sockets[0].getsockname()[1]
    write_atomic(os.path.join(a.dir, "port"), b"%d\n" % port)
    log("listening on %s:%d, storing in %s" % (a.host, port, folder))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()
    log("stopped")


if __name__ == "__main__":
    main()
