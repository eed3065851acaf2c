"""Redis Streams source: a consumer group, acknowledged only after the rows are written.

URI: redis://HOST:PORT/STREAM?group=GROUP[&db=N] (rediss:// for TLS). Each message holds one article as the
JSONL record of the batch input, in the field `article`. The password comes from the environment variable
PARLEY_REDIS_PASSWORD, never from the URI: command lines are visible to every user of the machine.

Delivery, in order on every poll: the consumer's own pending entries (after a restart: delivered, never
acknowledged), then entries another consumer left pending for longer than the claim timeout (XAUTOCLAIM:
that consumer died), then new entries (XREADGROUP >). So every article is processed at least once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit

from parley.articles import excerpt
from parley.records import DeadLetter, RawRecord
from parley.sources import Batch, SourceError

PASSWORD_VARIABLE = "PARLEY_REDIS_PASSWORD"
ARTICLE_FIELD = b"article"


def parse_redis_uri(uri: str) -> dict:
    parts = urlsplit(uri)
    if parts.password:
        raise SourceError(f"put the Redis password in the environment variable {PASSWORD_VARIABLE}, not in --source")
    stream = parts.path.strip("/")
    query = parse_qs(parts.query)
    group = (query.get("group") or [None])[0]
    if not parts.hostname or not stream or not group:
        raise SourceError(f"--source {uri!r}: expected redis://HOST:PORT/STREAM?group=GROUP")
    try:
        db = int((query.get("db") or ["0"])[0])
        port = parts.port or 6379
    except ValueError:
        raise SourceError(f"--source {uri!r}: port and db must be numbers") from None
    return {
        "host": parts.hostname,
        "port": port,
        "db": db,
        "username": parts.username,
        "stream": stream,
        "group": group,
        "ssl": parts.scheme == "rediss",
    }


class RedisStreamSource:
    def __init__(
        self,
        uri: str,
        consumer: str | None = None,
        claim_idle_seconds: float = 60.0,
        block_ms: int = 1000,
    ) -> None:
        import redis

        settings = parse_redis_uri(uri)
        self.stream = settings["stream"]
        self.group = settings["group"]
        self.consumer = consumer or f"parley-{socket.gethostname()}"
        self.claim_idle_ms = int(claim_idle_seconds * 1000)
        self.block_ms = block_ms
        self.description = f"redis://{settings['host']}:{settings['port']}/{self.stream}?group={self.group}"
        self.client = redis.Redis(
            host=settings["host"],
            port=settings["port"],
            db=settings["db"],
            username=settings["username"],
            password=os.environ.get(PASSWORD_VARIABLE) or None,
            ssl=settings["ssl"],
            socket_timeout=max(5.0, block_ms / 1000 + 5),
        )
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise SourceError(f"cannot create consumer group {self.group!r} on {self.stream!r}: {error}") from None
        except redis.ConnectionError as error:
            raise SourceError(f"cannot reach Redis for {self.description}: {error}") from None
        self._claim_cursor = "0-0"

    def _to_records(self, entries, batch: Batch) -> None:
        for message_id, fields in entries:
            if fields is None:  # deleted from the stream while pending
                batch.tokens.append(message_id)
                continue
            key = message_id.decode() if isinstance(message_id, bytes) else str(message_id)
            data = fields.get(ARTICLE_FIELD)
            if data is None:
                batch.dead_letters.append(
                    DeadLetter(
                        self.description,
                        key,
                        "read",
                        "bad_message",
                        f"message has no '{ARTICLE_FIELD.decode()}' field "
                        f"(fields: {sorted(f.decode(errors='replace') for f in fields)})",
                        excerpt(repr(fields)),
                    )
                )
            else:
                batch.records.append(RawRecord(self.description, key, "json", data, f"{self.stream}:{key}"))
            batch.tokens.append(message_id)

    def next_batch(self, max_records: int, max_seconds: float, stop: threading.Event) -> Batch:
        batch = Batch()
        # 1. Our own pending entries: delivered before a crash or a failed batch, never acknowledged.
        pending = self.client.xreadgroup(self.group, self.consumer, {self.stream: "0"}, count=max_records)
        for _stream, entries in pending or []:
            self._to_records(entries, batch)
        # 2. Entries a dead consumer left pending past the claim timeout.
        if len(batch) < max_records:
            claimed = self.client.xautoclaim(
                self.stream,
                self.group,
                self.consumer,
                self.claim_idle_ms,
                self._claim_cursor,
                count=max_records - len(batch),
            )
            self._claim_cursor = claimed[0] if claimed and claimed[0] else "0-0"
            self._to_records(claimed[1] if claimed else [], batch)
        # 3. New entries, until the batch is full or the time is up.
        deadline = time.monotonic() + max_seconds
        while len(batch) < max_records and not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            block = max(1, min(self.block_ms, int(remaining * 1000)))
            fresh = self.client.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=max_records - len(batch), block=block
            )
            got = sum(len(entries) for _stream, entries in fresh or [])
            for _stream, entries in fresh or []:
                self._to_records(entries, batch)
            if got == 0 and batch.tokens:
                break  # nothing more is arriving right now: process what we have
        return batch

    def commit(self, batch: Batch) -> None:
        if batch.tokens:
            self.client.xack(self.stream, self.group, *batch.tokens)

    def backlog(self) -> int | None:
        try:
            summary = self.client.xpending(self.stream, self.group)
            groups = {g["name"]: g for g in self.client.xinfo_groups(self.stream)}
            lag = groups.get(self.group.encode(), groups.get(self.group, {})).get("lag")
            return int(summary.get("pending", 0)) + int(lag or 0)
        except Exception:
            return None

    def close(self) -> None:
        self.client.close()
