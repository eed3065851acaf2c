"""Helpers for the streaming tests: a throw-away redis-server, synthetic articles, a local feed server."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

COUNTRIES = [
    ("Egypt", "Egyptian"),
    ("Jordan", "Jordanian"),
    ("Kenya", "Kenyan"),
    ("Peru", "Peruvian"),
    ("Norway", "Norwegian"),
    ("Vietnam", "Vietnamese"),
    ("Morocco", "Moroccan"),
    ("Chile", "Chilean"),
    ("Poland", "Polish"),
    ("Ghana", "Ghanaian"),
]
ACTS = ["condemned", "praised", "held talks with", "accused", "criticised", "welcomed"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """A private redis-server on a free port (no persistence), stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it with apt)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="parley-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def synthetic_article(number: int) -> dict:
    """A short, distinct, codable article (no shared corpus needed)."""
    first, first_adj = COUNTRIES[number % len(COUNTRIES)]
    second, _ = COUNTRIES[(number * 7 + 3) % len(COUNTRIES)]
    if second == first:
        second = COUNTRIES[(number + 1) % len(COUNTRIES)][0]
    act = ACTS[number % len(ACTS)]
    text = (
        f"The {first_adj} government {act} {second} on Monday, officials said in dispatch number {number}.\n\n"
        f"{first} and {second} agreed to meet again next month to discuss trade, report {number} added."
    )
    day = 1 + number % 28
    return {
        "id": f"synthetic-{number:04d}",
        "title": f"Report {number}",
        "text": text,
        "date": f"2021-03-{day:02d}",
        "source": "Parley test wire",
    }


def push(port: int, stream: str, articles: list[dict]) -> list[bytes]:
    import redis

    client = redis.Redis(port=port)
    return [client.xadd(stream, {"article": json.dumps(article)}) for article in articles]


class FeedServer:
    """A local HTTP server with an RSS feed whose entries can change, article pages, and a slow page."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []  # (entry id, path)
        self.pages: dict[str, str] = {}
        self.slow_seconds = 5.0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def feed_xml(self) -> str:
        items = "".join(
            f"<item><title>{entry_id}</title><link>{self.base}{path}</link><guid>{entry_id}</guid>"
            f"<pubDate>Tue, 02 Mar 2021 10:00:00 GMT</pubDate></item>"
            for entry_id, path in self.entries
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test feed</title>{items}</channel></rss>'

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return None

            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    body, kind = server.feed_xml(), "application/rss+xml"
                elif self.path == "/slow":
                    time.sleep(server.slow_seconds)
                    body, kind = "<html><body><p>late</p></body></html>", "text/html"
                elif self.path in server.pages:
                    body, kind = server.pages[self.path], "text/html"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def add_article(self, entry_id: str, path: str, text: str) -> None:
        paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        self.pages[path] = (
            f"<html><head><title>{entry_id}</title></head><body><article><h1>{entry_id}</h1>{paragraphs}</article></body></html>"
        )
        self.entries.append((entry_id, path))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
