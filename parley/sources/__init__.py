"""Streaming sources: where `parley stream` gets articles from, one micro-batch at a time.

A source hands out a `Batch` of raw records (plus dead letters for messages it could not even read), and is
told to `commit` the batch only after the batch's rows are durably written: a Redis message is acknowledged, a
feed entry or a file is remembered as done. A crash between the two replays the batch; content-hash ids make
the replayed rows identical, so processing is at-least-once with idempotent output.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from parley.records import DeadLetter, RawRecord


@dataclass
class Batch:
    records: list[RawRecord] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    # What the source needs to commit the batch (message ids, entry keys, file keys).
    tokens: list[Any] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records) + len(self.dead_letters)


class Source(Protocol):
    description: str

    def next_batch(self, max_records: int, max_seconds: float, stop: threading.Event) -> Batch:
        """Wait at most max_seconds (less if `stop` is set) for up to max_records records."""

    def commit(self, batch: Batch) -> None:
        """Mark the batch done: called only after its rows are written."""

    def backlog(self) -> int | None:
        """Records waiting at the source, if it can tell (for the heartbeat)."""

    def close(self) -> None: ...


class SourceError(ValueError):
    """A --source that cannot be used (bad URI, unreachable server at start-up)."""


def open_source(uri: str, state_folder: str, settings: dict) -> Source:
    """The source for a --source URI: redis://, feed+http(s)://, dir://."""
    if uri.startswith(("redis://", "rediss://")):
        from parley.sources.redis_stream import RedisStreamSource

        return RedisStreamSource(uri, **settings.get("redis", {}))
    if uri.startswith(("feed+http://", "feed+https://")):
        from parley.sources.feeds import FeedSource

        return FeedSource(uri, state_folder, **settings.get("feed", {}))
    if uri.startswith("dir://"):
        from parley.sources.folder import FolderSource

        return FolderSource(uri, state_folder, **settings.get("dir", {}))
    raise SourceError(
        f"unsupported --source {uri!r}: use redis://HOST:PORT/STREAM?group=G, feed+https://URL or dir://PATH"
    )


def take(items: Sequence, limit: int) -> list:
    return list(items[:limit])
