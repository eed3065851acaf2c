"""`parley report`: the HTML page loaded in real headless Chromium (over the DevTools protocol on a pipe): the charts
are drawn, nothing is fetched from the network, no console error, table text is escaped."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from parley.report import build_report

from .test_query import ARTICLES, INTERACTIONS, build_tables, day_of_article, interaction, write_table

CHROMIUM = Path("/usr/bin/chromium")
PARLEY = Path(sys.executable).with_name("parley")
CHARTS = ("dyads", "timeline", "network", "topics")

# Hostile rows: markup in a sentence, an actor and a title, and a javascript: URL must all come out as text.
HOSTILE = interaction(
    99, INTERACTIONS[0]["article_id"], "p1", ("FRAGOV", "FRA", "GOV", None, "<b>Macron</b>"),
    ("RUSGOV", "RUS", "GOV", "Vladimir Putin", "Putin"), cameo_code="040", cameo_root="04",
    cameo_label="Consult", quad_class=1, goldstein=1.0, trigger="talks", confidence=0.99,
    sentence_text='Macron </td><script>alert("x")</script> held talks & more <img src=x onerror=alert(1)>.',
)  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, float]:
    out = build_tables(tmp_path_factory.mktemp("report") / "out")
    # These replace the files build_tables wrote.
    write_table(out, "interactions", [*INTERACTIONS, HOSTILE], day_of_article)
    hostile_article = ARTICLES[0] | {"url": "javascript:alert(1)", "title": "<i>Talks</i> & co"}
    write_table(out, "articles", [hostile_article, *ARTICLES[1:]], day_of_article)
    started = time.monotonic()
    path, _data = build_report(out, out.parent / "report.html")
    return path, time.monotonic() - started


def _above_four(fd: int) -> int:
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out; NUL-separated JSON)."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="parley-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Above fd 4, so that the shell's "3<&N 4>&M" below cannot overwrite one end with the other.
        to_browser_read, from_browser_write = (_above_four(fd) for fd in (to_browser_read, from_browser_write))
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "--window-size=1200,900",
        ]  # fmt: skip
        # bash (dash takes one-digit fds only) puts the pipe ends on fds 3 and 4, where Chromium expects them.
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}', str(CHROMIUM), *flags],
            pass_fds=(to_browser_read, from_browser_write), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, session: bool = True, timeout: float = 60) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == self._next_id, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait(self, matches, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if matches(message):
                    return message
            ready, _, _ = select.select([self._from_browser], [], [], 0.5)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raise TimeoutError("no answer from Chromium")

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == self.session)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, clip: dict) -> bytes:
        import base64

        params = {"format": "png", "clip": {**clip, "scale": 1}, "captureBeyondViewport": True}
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", session=False, timeout=10)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(report):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install it with `apt-get install -y chromium` (.ci/run does)")
    path, _seconds = report
    browser = DevTools()
    try:
        started = time.monotonic()
        browser.open(path.resolve().as_uri())
        browser.load_seconds = time.monotonic() - started
        yield browser
    finally:
        browser.close()


CHART_STATE = """JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll('path, rect, use, line, polyline, circle')]
    .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; });
  return {id: svg.id, x: box.left + window.scrollX, y: box.top + window.scrollY, width: box.width,
          height: box.height, shapes: shapes.length,
          texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
}))"""


def test_the_charts_are_drawn(page):
    charts = {c["id"]: c for c in json.loads(page.evaluate(CHART_STATE))}
    assert sorted(charts) == sorted(f"chart-{name}" for name in CHARTS)
    for chart in charts.values():
        assert chart["width"] > 300 and chart["height"] > 100, chart["id"]
        assert chart["shapes"] >= 5, chart["id"]
    assert any("FRA → RUS" in text for text in charts["chart-dyads"]["texts"])
    assert {"FRA", "RUS", "CHN", "USA"} <= set(charts["chart-network"]["texts"])
    assert any("France" in text and "Russia" in text for text in charts["chart-timeline"]["texts"])
    assert {"DIPLOMACY", "SANCTIONS"} <= set(charts["chart-topics"]["texts"])
    # Pixels: each chart's area of a real screenshot is not blank.
    from PIL import Image

    for chart in charts.values():
        clip = {key: chart[key] for key in ("x", "y", "width", "height")}
        image = Image.open(io.BytesIO(page.screenshot(clip))).convert("L")
        inked = sum(1 for value in image.getdata() if value < 200)
        assert inked > 0.01 * image.width * image.height, chart["id"]


def test_no_console_errors_and_no_network(page, report):
    errors = [
        e
        for e in page.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert", "warning"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))
    ]
    assert errors == []
    requested = [e["params"]["request"]["url"] for e in page.events if e["method"] == "Network.requestWillBeSent"]
    assert requested == [report[0].resolve().as_uri()]  # the page itself and nothing else


def test_text_from_the_tables_is_escaped(page, report):
    state = json.loads(
        page.evaluate(
            """JSON.stringify({scripts: document.scripts.length, images: document.images.length,
            bold: document.querySelectorAll('main b').length,
            links: [...document.querySelectorAll('#confident a')].map(a => a.href),
            rows: document.querySelectorAll('#confident tbody tr').length,
            text: document.querySelector('#confident tbody').textContent,
            marks: [...document.querySelectorAll('#confident mark')].map(m => m.textContent)})"""
        )
    )
    assert state["scripts"] == 0 and state["images"] == 0 and state["bold"] == 0
    assert state["links"] == []  # the only URL is a javascript: one: shown as text, not linked
    assert state["rows"] == len(INTERACTIONS) + 1
    assert '</td><script>alert("x")</script>' in state["text"] and "<b>Macron</b>" in state["text"]
    assert "<i>Talks</i> & co" in state["text"]
    assert "talks" in state["marks"]
    html = report[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script" not in html


def test_report_render_time(page, report):
    """Measured, with a generous bound: building the page (DuckDB + matplotlib) and loading it in Chromium."""
    path, build_seconds = report
    print(f"\nreport: built in {build_seconds:.2f} s, {path.stat().st_size / 1024:.0f} KiB, "
          f"loaded in Chromium in {page.load_seconds:.2f} s")  # fmt: skip
    assert build_seconds < 30 and page.load_seconds < 30


def test_a_folder_without_interactions_still_gives_a_page(tmp_path):
    write_table(tmp_path, "articles", [{"article_id": "a" * 24, "doc_id": "d", "language": "en"}], lambda row: None)
    path, data = build_report(tmp_path, tmp_path / "empty.html")
    html = path.read_text(encoding="utf-8")
    assert data.overview["interactions"] == 0 and data.overview["articles"] == 1
    assert "<svg" not in html and "No interactions." in html


def test_the_command_writes_the_page(tmp_path):
    out = build_tables(tmp_path / "out")
    result = subprocess.run(
        [str(PARLEY), "report", str(out), "--out", str(tmp_path / "r.html")], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "written to" in result.stdout and (tmp_path / "r.html").stat().st_size > 10_000
    missing = subprocess.run([str(PARLEY), "report", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
