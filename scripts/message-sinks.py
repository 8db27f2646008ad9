#!/usr/bin/env python3
"""Real receivers for the message tests: an SMTP server (aiosmtpd) and a webhook
receiver that checks every request's signature with the Standard Webhooks reference
library. Both append what they receive, one JSON object a line, to the file named on
the command line. The first line printed on stdout is a JSON object with their ports
and the webhook secret; they run until stdin closes (the test ends).

Webhook paths choose how the receiver answers:
  /ok              200
  /fail/N          503 for the first N requests to this path, then 200
  /hold-first      holds the first request for 20 s (the test kills the sender),
                   answers later ones at once
"""

import base64
import json
import os
import socket
import sys
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook

log_path = sys.argv[1]
log_lock = threading.Lock()
secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
verifier = Webhook(secret)
counts = {}
counts_lock = threading.Lock()


def record(entry):
    with log_lock, open(log_path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Mail:
    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            parts.append({
                "type": part.get_content_type(),
                "filename": part.get_filename(),
                "content": part.get_content() if part.get_content_maintype() == "text" else "",
            })
        # Defects of the message, of every part and of its headers (the default policy
        # keeps a header's own problems on the header), as the parser names them.
        defects = [type(d).__name__ for part in message.walk() for d in part.defects]
        for name in ("date", "message-id", "from", "to", "subject"):
            header = message[name]
            if header is None:
                defects.append(f"{name}: missing")
            else:
                defects += [f"{name}: {type(d).__name__}" for d in header.defects]
        date = message["date"]
        record({
            "kind": "email",
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "message_id": str(message["message-id"]) if message["message-id"] else None,
            # The Date header as the parser read it: None unless it is a real date.
            "date": date.datetime.isoformat() if date is not None and date.datetime else None,
            "defects": defects,
            "parts": parts,
        })
        return "250 OK"


class Hook(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            verifier.verify(body, headers)
            signed = True
        except Exception as error:  # the reference library's verdict
            signed = False
            record({"kind": "bad-signature", "error": str(error), "path": self.path})
        with counts_lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            nth = counts[self.path]
        entry = {
            "kind": "webhook",
            "at": time.time(),
            "path": self.path,
            "id": headers.get("webhook-id"),
            "signed": signed,
            "body": json.loads(body) if signed else None,
        }
        if not signed:
            self.answer(401)
            return
        if self.path.startswith("/fail/") and nth <= int(self.path.split("/")[2]):
            record({**entry, "answered": 503})
            self.answer(503)
            return
        if self.path == "/hold-first" and nth == 1:
            record({**entry, "answered": "held"})
            time.sleep(20)
            self.answer(200)
            return
        record({**entry, "answered": 200})
        self.answer(200)

    def answer(self, status):
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


smtp_port = free_port()
smtp = Controller(Mail(), hostname="127.0.0.1", port=smtp_port)
smtp.start()
hooks = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hooks.serve_forever, daemon=True).start()
print(json.dumps({"smtp": smtp_port, "webhook": hooks.server_address[1], "secret": secret}), flush=True)
sys.stdin.read()
smtp.stop()
