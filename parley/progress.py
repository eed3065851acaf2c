"""Progress of a `parley batch` run on a terminal: files and articles done, rate, ETA.

On the DirectRunner `pipeline.run()` blocks until the pipeline is done (in-process and multi-processing alike), and
Beam metrics can only be read from the result, so they cannot drive a live display. Instead two tap transforms
count what flows past them and each worker process writes its tallies to a small JSON file in a temporary folder
(at most a few times a second, and at the end of every bundle); a thread in the launcher sums the files and
redraws one status line. Worker processes of `--direct_running_mode multi_processing` share the launcher's disk,
so this works for the local runners only: on any other runner, without a terminal on stdout, or with `--quiet`
there is no tap and no thread at all.

The taps: raw records (each new input file counts as a file done) and the table rows where each branch produces
them, before the Flattens that gather them for writing (`articles` rows, emitted when an article is split into
paragraphs just before spaCy annotates them, `interactions` rows and record-level `dead_letters` rows). The run's
stages follow each other (reading ends before the first article is split because deduplication groups all
articles), so the display shows files while reading, then articles out of the records read minus those already
dead-lettered, then the interactions coded while the tables are written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from typing import Any, TextIO

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from parley.transforms.common import flattened_inputs

# Runners whose workers run on this machine and so can write to the launcher's temporary folder.
LOCAL_RUNNERS = frozenset({"DirectRunner", "SwitchingDirectRunner", "BundleBasedDirectRunner", "FnApiRunner"})
# Dead-letter stages that stand for whole input records (as in transforms/process.py).
RECORD_STAGES = frozenset({"read", "parse", "dedupe", "split"})
FLUSH_SECONDS = 0.25


# ------------------------------------------------------------------------------------------ worker side


class _Tally:
    """This process's counts for one run, shared by every tap instance (and thread) in the process."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json")
        self.lock = threading.Lock()
        self.counts = {"records": 0, "articles": 0, "dead_records": 0, "interactions": 0}
        self.files: set[str] = set()
        self.flushed = 0.0
        self.dirty = False

    def add(self, kind: str, element: Any) -> None:
        with self.lock:
            if kind == "records":
                self.counts["records"] += 1
                self.files.add(element.input_uri)
            else:
                table = element.table
                if table == "articles":
                    self.counts["articles"] += element.n_rows
                elif table == "interactions":
                    self.counts["interactions"] += element.n_rows
                elif table == "dead_letters":
                    for row in element.rows():
                        if row.get("stage") not in RECORD_STAGES:
                            continue
                        self.counts["dead_records"] += 1
                        if row.get("stage") == "read":  # a file that could not be read at all (or not completely)
                            self.counts["records"] += 1
                            self.files.add(row.get("input_uri"))
            self.dirty = True
        if time.monotonic() - self.flushed >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            if not self.dirty:
                return
            payload = json.dumps({**self.counts, "files": len(self.files)})
            self.flushed, self.dirty = time.monotonic(), False
        temporary = f"{self.path}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(temporary, self.path)
        except OSError:  # the launcher removed the folder (run over): nothing left to report
            pass


_TALLIES: dict[str, _Tally] = {}
_TALLIES_LOCK = threading.Lock()


def _tally(directory: str) -> _Tally:
    with _TALLIES_LOCK:
        tally = _TALLIES.get(directory)
        if tally is None:
            tally = _TALLIES[directory] = _Tally(directory)
        return tally


class _CountFn(beam.DoFn):
    """Counts elements into this process's tally; outputs nothing."""

    def __init__(self, directory: str, kind: str) -> None:
        self.directory = directory
        self.kind = kind

    def process(self, element):
        _tally(self.directory).add(self.kind, element)
        return ()

    def finish_bundle(self):
        _tally(self.directory).flush()


def read_tallies(directory: str) -> dict[str, int]:
    """The sum of every process's tally (a file is read by one process, so per-process file counts add up)."""
    total = {"records": 0, "articles": 0, "dead_records": 0, "interactions": 0, "files": 0}
    try:
        names = os.listdir(directory)
    except OSError:
        return total
    for name in names:
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                counts = json.load(handle)
        except (OSError, ValueError):
            continue
        for key in total:
            total[key] += int(counts.get(key, 0))
    return total


# ------------------------------------------------------------------------------------------ launcher side


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


class _Rate:
    """Items per second over the last `window` seconds."""

    def __init__(self, window: float = 30.0) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def update(self, now: float, value: int) -> float | None:
        self.samples.append((now, value))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()
        then, first = self.samples[0]
        if now - then < 1.0 or value <= first:
            return None
        return (value - first) / (now - then)


def status_line(counts: dict[str, int], total_files: int | None, elapsed: float, rates: dict[str, _Rate]) -> str:
    """One status line from the summed tallies."""
    now = time.monotonic()
    files = f"files {counts['files']:,}" + (f"/{total_files:,}" if total_files is not None else "")
    parts = [files, f"records {counts['records']:,}"]
    if counts["articles"] == 0:  # still reading (or loading): rate and ETA of files
        rate = rates["files"].update(now, counts["files"])
        if rate:
            parts.append(f"{rate:,.1f}/s")
            if total_files is not None and total_files > counts["files"]:
                parts.append(f"ETA {_duration((total_files - counts['files']) / rate)}")
    else:
        expected = max(counts["records"] - counts["dead_records"], counts["articles"])
        parts.append(f"articles {counts['articles']:,}/{expected:,}")
        if counts["articles"] < expected:
            rate = rates["articles"].update(now, counts["articles"])
            if rate:
                parts += [f"{rate:,.1f}/s", f"ETA {_duration((expected - counts['articles']) / rate)}"]
        else:
            parts.append(f"coding: {counts['interactions']:,} interactions")
    parts.append(_duration(elapsed))
    return " · ".join(parts)


def _count_input_files(patterns: list[str]) -> int | None:
    from parley.storage import expand_input

    try:
        return sum(len(expand_input(pattern)) for pattern in patterns)
    except Exception:  # the total is a nicety: without it the display shows no file ETA
        return None


class Progress:
    """A live status line for one batch run: `attach` the taps to the graph, then run inside `with progress:`."""

    def __init__(self, inputs: list[str], stream: TextIO | None = None, interval: float = 0.25) -> None:
        self.inputs = list(inputs)
        self.stream = stream or sys.stdout
        self.interval = interval
        # Created when the run starts (workers write to it only then), removed when it ends.
        self.directory = os.path.join(tempfile.gettempdir(), f"parley-progress-{uuid.uuid4().hex}")
        self.total_files: int | None = None
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._width = 0

    @classmethod
    def for_run(cls, options) -> Progress | None:
        """A Progress when the run is local, stdout is a terminal and --quiet is not given; else None."""
        if getattr(options, "quiet", False) or not _is_terminal(sys.stdout):
            return None
        runner = options.view_as(StandardOptions).runner
        name = runner if isinstance(runner, str) or runner is None else type(runner).__name__
        if name is not None and name.rsplit(".", 1)[-1] not in LOCAL_RUNNERS:
            return None
        return cls(options.input)

    def attach(self, records, rows) -> None:
        """Tap the raw records and the table rows of the batch graph (side branches: the tables do not change).

        The rows are tapped where they are produced, before the Flattens that gather them: the DirectRunner runs
        the consumers of a Flatten with inputs from several stages only after all of them are done.
        """
        _ = records | "ProgressRecords" >> beam.ParDo(_CountFn(self.directory, "records"))
        for index, produced in enumerate(flattened_inputs(rows)):
            _ = produced | f"ProgressRows{index}" >> beam.ParDo(_CountFn(self.directory, "rows"))

    def __enter__(self) -> Progress:
        os.makedirs(self.directory, mode=0o700)
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="parley-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._write("\r" + " " * self._width + "\r")
        shutil.rmtree(self.directory, ignore_errors=True)
        with _TALLIES_LOCK:  # the in-process runner's tally for this run
            _TALLIES.pop(self.directory, None)

    def _loop(self) -> None:
        threading.Thread(target=self._count_files, name="parley-progress-files", daemon=True).start()
        rates = {"files": _Rate(), "articles": _Rate()}
        while not self._stop.wait(self.interval):
            line = status_line(read_tallies(self.directory), self.total_files, time.monotonic() - self.started, rates)
            width = shutil.get_terminal_size().columns - 1
            line = line if len(line) <= width else line[: max(width - 1, 0)] + "…"
            self._write("\r" + line + " " * max(self._width - len(line), 0))
            self._width = len(line)

    def _count_files(self) -> None:
        self.total_files = _count_input_files(self.inputs)

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(text)
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
