"""Watched-folder source: files dropped into a folder are processed once each.

URI: dir://PATH. A file is taken once its size and modification time have stayed the same for one poll (so
a file still being copied is not read half-way) and remembered in OUTPUT/_state after its rows are written.
Files are read exactly as `parley batch` reads them (text, JSONL, compressed, archives).
"""

from __future__ import annotations

import os
import threading
import time

from parley.limits import Limits
from parley.reading import read_records
from parley.records import DeadLetter, RawRecord
from parley.sources import Batch
from parley.sources.state import load_state, save_state, state_path
from parley.storage import InputProblem, expand_input


class FolderSource:
    def __init__(self, uri: str, state_folder: str, poll_seconds: float = 2.0, limits: Limits | None = None) -> None:
        self.folder = os.path.abspath(uri.removeprefix("dir://"))
        self.description = f"dir://{self.folder}"
        self.poll_seconds = poll_seconds
        self.limits = limits or Limits()
        self.state_file = state_path(state_folder, "folder", self.folder)
        self.done: set[str] = set(load_state(self.state_file).get("done", []))
        self.last_seen: dict[str, tuple[int, int]] = {}

    @staticmethod
    def _key(path: str, size: int, mtime_ns: int) -> str:
        return f"{path}|{size}|{mtime_ns}"

    def _settled_files(self) -> list[tuple[str, str]]:
        settled = []
        if not os.path.isdir(self.folder):
            return settled
        current: dict[str, tuple[int, int]] = {}
        for found in expand_input(self.folder):
            if isinstance(found, InputProblem):
                continue
            try:
                info = os.stat(found.path)
            except OSError:
                continue
            signature = (info.st_size, info.st_mtime_ns)
            current[found.path] = signature
            key = self._key(found.path, *signature)
            if key not in self.done and self.last_seen.get(found.path) == signature:
                settled.append((found.path, key))
        self.last_seen = current
        return sorted(settled)

    def next_batch(self, max_records: int, max_seconds: float, stop: threading.Event) -> Batch:
        batch = Batch()
        deadline = time.monotonic() + max_seconds
        while not stop.is_set():
            for path, key in self._settled_files():
                for item in read_records(path, self.limits):
                    if isinstance(item, RawRecord):
                        batch.records.append(item)
                    elif isinstance(item, DeadLetter):
                        batch.dead_letters.append(item)
                batch.tokens.append(key)
                if len(batch) >= max_records:
                    return batch
            if batch.tokens or time.monotonic() >= deadline:
                return batch
            stop.wait(min(self.poll_seconds, max(0.0, deadline - time.monotonic())))
        return batch

    def commit(self, batch: Batch) -> None:
        if batch.tokens:
            self.done.update(batch.tokens)
            save_state(self.state_file, {"done": sorted(self.done)})

    def backlog(self) -> int | None:
        return None

    def close(self) -> None:
        return None
