#!/usr/bin/env python3
"""A local stand-in for the public registries (npmjs, PyPI, Maven Central), for Depot's end-to-end tests.

Python 3 standard library only. It serves a directory tree in the registries' real URL layouts:

  npm     GET /<name>                 -> <root>/<name>/index.json          (the packument)
          GET /@scope%2fname          -> <root>/@scope/name/index.json      (the path is percent-decoded)
          GET /<name>/-/<file>.tgz    -> <root>/<name>/-/<file>.tgz         (tarballs; scoped: /@scope/name/-/...)
  PyPI    GET /simple/<project>/      -> <root>/simple/<project>/index.json when the Accept header asks for
                                         application/vnd.pypi.simple.v1+json (served with that content type),
                                         else <root>/simple/<project>/index.html (text/html)
          GET /simple/<project>       -> 301 to the slash form (as PyPI does) when the directory has index.html
          files anywhere under the root, e.g. /packages/<file>.whl -> <root>/packages/<file>.whl
  Maven   plain files: /org/x/a/1.0/a-1.0.jar, .pom, .sha1, .md5, maven-metadata.xml, ...

A directory holding only index.json is answered with it (npm's packument); one holding index.html and
index.json negotiates by Accept (PyPI). Text documents (.json .html .xml .txt) may contain the placeholder
{{STAND_IN_URL}}, replaced when served by this server's base URL (http://127.0.0.1:<port>), so absolute
tarball/file URLs can be written before the port is known. Files are read on every request, so a test may
add or change them while the server runs.

Every answer carries an ETag (and Last-Modified); If-None-Match / If-Modified-Since get 304. HEAD works.

Usage:
  python3 scripts/upstream-stand-in.py --root DIR [--port 0] [--host 127.0.0.1]
It prints `listening on <port>` (flushed) once bound, then serves until SIGINT/SIGTERM or until its parent
process exits. Requests are logged to stderr only with --verbose.

Control endpoints (for tests; not counted):
  GET    /-/stand-in/requests   -> {"<path>": <count>, ...}: requests served per path (query excluded),
                                   percent-encoding kept as the client sent it
  DELETE /-/stand-in/requests   -> resets the counts
  GET    /-/stand-in/mode       -> the current mode
  POST   /-/stand-in/mode       with JSON {"mode": M, "seconds": N, "match": S, "bytes": B, "declareLength": bool}
      M is one of
        normal      serve the tree
        status500   answer 500 to everything
        slow        sleep `seconds` (default 5) before answering normally
        invalid     documents (.json .html .xml .txt, checksum files, directory indexes) are replaced by garbage
        badhash     other files (tarballs, wheels, jars) have their bytes altered (same length)
        oversized   answer 200 with `bytes` (default 300 MiB) of filler, streamed chunked, or with a
                    Content-Length header when declareLength is true
      `match`, when given, limits the mode to paths containing that substring (others are served normally).
"""

import argparse
import email.utils
import hashlib
import json
import os
import posixpath
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL_PREFIX = "/-/stand-in/"
PLACEHOLDER = b"{{STAND_IN_URL}}"
PYPI_JSON = "application/vnd.pypi.simple.v1+json"
DOCUMENT_SUFFIXES = (".json", ".html", ".xml", ".txt", ".md5", ".sha1", ".sha256", ".sha512", ".asc")
CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".xml": "text/xml",
    ".pom": "text/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md5": "text/plain",
    ".sha1": "text/plain",
    ".sha256": "text/plain",
    ".sha512": "text/plain",
    ".asc": "text/plain",
    ".metadata": "text/plain; charset=utf-8",
}
MODES = ("normal", "status500", "slow", "invalid", "oversized", "badhash")


class State:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.lock = threading.Lock()
        self.counts = {}
        self.mode = {"mode": "normal"}

    def count(self, path):
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1

    def current_mode(self, path):
        with self.lock:
            mode = dict(self.mode)
        match = mode.get("match")
        if match and match not in path:
            return {"mode": "normal"}
        return mode


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DepotUpstreamStandIn/1"
    state: State = None
    verbose = False

    def log_message(self, format, *args):
        if self.verbose:
            sys.stderr.write("stand-in: " + (format % args) + "\n")

    # MARK: Dispatch

    def do_GET(self):
        self.dispatch(head=False)

    def do_HEAD(self):
        self.dispatch(head=True)

    def do_POST(self):
        path = self.raw_path()
        if path == CONTROL_PREFIX + "mode":
            return self.set_mode()
        self.drain_body()
        self.send_text(405, "method not allowed\n")

    def do_DELETE(self):
        if self.raw_path() == CONTROL_PREFIX + "requests":
            with self.state.lock:
                self.state.counts.clear()
            return self.send_json(200, {})
        self.send_text(405, "method not allowed\n")

    def do_PUT(self):
        self.drain_body()
        self.send_text(405, "the stand-in is read-only\n")

    def raw_path(self):
        return self.path.split("?", 1)[0]

    def dispatch(self, head):
        path = self.raw_path()
        if path.startswith(CONTROL_PREFIX):
            return self.control(path)
        self.state.count(path)
        mode = self.state.current_mode(path)
        name = mode.get("mode", "normal")
        if name == "status500":
            return self.send_text(500, "stand-in: simulated internal server error\n", head=head)
        if name == "slow":
            time.sleep(float(mode.get("seconds", 5)))
        if name == "oversized":
            return self.send_oversized(int(mode.get("bytes", 300 << 20)), bool(mode.get("declareLength")), head)
        self.serve_file(path, name, head)

    # MARK: Files

    def resolve(self, path):
        """The file for a request path (percent-decoded, kept inside the root), or a redirect target."""
        decoded = urllib.parse.unquote(path)
        if "\x00" in decoded:
            return None, None
        normalized = posixpath.normpath("/" + decoded.lstrip("/"))
        # Containment is checked on the normalized path, not the resolved one: Debian's Maven repository
        # links its jars to /usr/share/java, and those links are part of the tree being served.
        target = os.path.abspath(os.path.join(self.state.root, normalized.lstrip("/")))
        if target != self.state.root and not target.startswith(self.state.root + os.sep):
            return None, None
        if os.path.isfile(target):
            return target, None
        if os.path.isdir(target):
            html = os.path.join(target, "index.html")
            pypi_json = os.path.join(target, "index.json")
            has_html, has_json = os.path.isfile(html), os.path.isfile(pypi_json)
            if has_html and not path.endswith("/"):
                return None, path + "/"
            accept = self.headers.get("Accept", "")
            if has_json and (not has_html or PYPI_JSON in accept):
                return pypi_json, None
            if has_html:
                return html, None
        return None, None

    def serve_file(self, path, mode, head):
        target, redirect = self.resolve(path)
        if redirect:
            self.send_response(301)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target is None:
            return self.send_text(404, "not found\n", head=head)
        with open(target, "rb") as handle:
            body = handle.read()
        is_document = target.endswith(DOCUMENT_SUFFIXES)
        if is_document:
            body = body.replace(PLACEHOLDER, self.base_url().encode())
        content_type = CONTENT_TYPES.get(os.path.splitext(target)[1], "application/octet-stream")
        if os.path.basename(target) == "index.json" and PYPI_JSON in self.headers.get("Accept", ""):
            content_type = PYPI_JSON
        if mode == "invalid" and is_document:
            body = b"<<< this is not the document you asked for {]\x00"
        elif mode == "badhash" and not is_document and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        mtime = os.path.getmtime(target)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        if self.not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        if not head:
            self.write(body)

    def not_modified(self, etag, mtime):
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return tags.strip() == "*" or etag in [t.strip() for t in tags.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def send_oversized(self, size, declare_length, head):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if declare_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if head:
            return
        chunk = b"0" * (1 << 16)
        sent = 0
        try:
            while sent < size:
                part = chunk[: min(len(chunk), size - sent)]
                if declare_length:
                    self.wfile.write(part)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
            if not declare_length:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # MARK: Control

    def control(self, path):
        if path == CONTROL_PREFIX + "requests":
            with self.state.lock:
                counts = dict(self.state.counts)
            return self.send_json(200, counts)
        if path == CONTROL_PREFIX + "mode":
            with self.state.lock:
                mode = dict(self.state.mode)
            return self.send_json(200, mode)
        return self.send_text(404, "unknown control endpoint\n")

    def set_mode(self):
        try:
            mode = json.loads(self.drain_body() or b"{}")
            if not isinstance(mode, dict) or mode.get("mode", "normal") not in MODES:
                raise ValueError("mode must be one of " + ", ".join(MODES))
        except ValueError as error:
            return self.send_text(400, "%s\n" % error)
        mode.setdefault("mode", "normal")
        with self.state.lock:
            self.state.mode = mode
        self.send_json(200, mode)

    # MARK: Helpers

    def base_url(self):
        host, port = self.server.server_address[:2]
        return "http://%s:%d" % (host, port)

    def drain_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def write(self, body):
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_text(self, status, text, head=False):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.write(body)

    def send_json(self, status, value):
        body = json.dumps(value, sort_keys=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.write(body)


def main():
    parser = argparse.ArgumentParser(description="Serve a directory tree as npmjs / PyPI simple / Maven Central.")
    parser.add_argument("--root", required=True, help="the directory tree to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    arguments = parser.parse_args()
    if not os.path.isdir(arguments.root):
        parser.error("--root %s is not a directory" % arguments.root)

    Handler.state = State(arguments.root)
    Handler.verbose = arguments.verbose
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    # A parent may have spawned us with these signals blocked (Foundation's Process does from some threads).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()

    def watch_parent():
        # A test runner that dies without stopping us must not leave a server behind.
        while os.getppid() == parent:
            time.sleep(1)
        stop(None, None)

    threading.Thread(target=watch_parent, daemon=True).start()
    print("listening on %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
