#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback HTTP server that replays model providers' wire formats, quirks and failures.

Usage: replay-server.py --scenario FILE --log FILE [--root DIR] [--cert PEM --key PEM]

Prints the port it listens on (127.0.0.1) as the first line of stdout, then serves until
killed. The scenario is JSON:

  {"routes": {"/v1/chat/completions": [RESPONSE, RESPONSE, ...], "/api/tags": [...]}}

Each request to a path takes that path's next RESPONSE (the last one repeats):

  status       HTTP status (200)
  headers      extra response headers
  body         the body as text, or
  body_file    a file (relative to --root) holding it
  chunk_size   bytes per write (default: all at once); every write is its own HTTP chunk
  delay_ms     sleep between writes
  cut_after    close the socket after this many body bytes, with no final chunk
  stall_after  stop sending after this many body bytes and hold the connection open
  hold_headers stall before sending even the status line (seconds)

Every request is appended to the log as one JSON line: method, path, headers, body.
"""

import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
counters = {}


def next_response(scenario, path):
    routes = scenario.get("routes", {})
    responses = routes.get(path)
    if responses is None:
        return {"status": 404, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"error": {"message": f"no route {path} in the replay"}})}
    with lock:
        index = counters.get(path, 0)
        counters[path] = index + 1
    return responses[min(index, len(responses) - 1)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with lock, open(self.server.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record(body)

        response = next_response(self.server.scenario, self.path.split("?")[0])
        if response.get("hold_headers"):
            time.sleep(response["hold_headers"])

        if "body_file" in response:
            with open(os.path.join(self.server.root, response["body_file"]), "rb") as f:
                payload = f.read()
        else:
            payload = response.get("body", "").encode("utf-8")

        self.send_response_only(response.get("status", 200))
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        headers.update(response.get("headers", {}))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

        chunk_size = response.get("chunk_size") or max(len(payload), 1)
        cut_after = response.get("cut_after")
        stall_after = response.get("stall_after")
        delay = response.get("delay_ms", 0) / 1000.0
        sent = 0
        try:
            while sent < len(payload):
                piece = payload[sent:sent + chunk_size]
                if cut_after is not None and sent + len(piece) > cut_after:
                    piece = piece[:cut_after - sent]
                if stall_after is not None and sent + len(piece) > stall_after:
                    piece = piece[:stall_after - sent]
                if piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    sent += len(piece)
                if cut_after is not None and sent >= cut_after:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if stall_after is not None and sent >= stall_after:
                    time.sleep(3600)
                    return
                if delay:
                    time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    do_GET = handle_any
    do_POST = handle_any


def die_with_parent():
    """A test that crashes must not leave its server holding the test runner's pipes."""
    try:
        import ctypes
        import signal
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def main():
    die_with_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--root", default=".")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.scenario, encoding="utf-8") as f:
        server.scenario = json.load(f)
    server.log_path = args.log
    server.root = args.root
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)

    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
