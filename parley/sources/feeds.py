"""RSS/Atom feed source: poll the feeds, fetch each new entry's page, extract its main text, code it.

URI: feed+https://example.org/rss.xml (several feeds: separate them with '|'). Entries are recognised by their
id (else their link) and remembered in OUTPUT/_state after their rows are written, so a restart does not
process them again. A page that cannot be fetched in time, is too big or has no article text becomes a
dead letter (stage 'read') naming the entry.
"""

from __future__ import annotations

import json
import threading
import time

from parley.articles import excerpt
from parley.records import DeadLetter, RawRecord
from parley.sources import Batch
from parley.sources.fetch import FetchError, fetch
from parley.sources.state import load_state, save_state, state_path


def entry_key(entry) -> str | None:
    return entry.get("id") or entry.get("link")


def entry_date(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    return None


def extract_text(html: bytes, url: str) -> str | None:
    import trafilatura

    return trafilatura.extract(
        html.decode("utf-8", errors="replace"), url=url, include_comments=False, include_tables=False
    )


class FeedSource:
    def __init__(
        self,
        uri: str,
        state_folder: str,
        poll_seconds: float = 60.0,
        fetch_timeout: float = 10.0,
        max_page_bytes: int = 5_000_000,
    ) -> None:
        self.feeds = [part for part in uri.removeprefix("feed+").split("|") if part]
        self.feeds = [feed if feed.startswith("http") else f"http{feed}" for feed in self.feeds]
        self.description = "feed+" + "|".join(self.feeds)
        self.poll_seconds = poll_seconds
        self.fetch_timeout = fetch_timeout
        self.max_page_bytes = max_page_bytes
        self.state_file = state_path(state_folder, "feeds", self.description)
        self.seen: set[str] = set(load_state(self.state_file).get("seen", []))
        self.next_poll = 0.0
        self.queue: list[tuple[str, str, object]] = []  # (feed, key, entry) found but not yet handed out

    def _poll(self) -> list[DeadLetter]:
        import feedparser

        problems = []
        queued = {key for _feed, key, _entry in self.queue}
        for feed in self.feeds:
            try:
                fetched = fetch(feed, self.fetch_timeout, self.max_page_bytes)
            except FetchError as error:
                problems.append(DeadLetter(feed, feed, "read", error.reason, f"feed: {error}"))
                continue
            parsed = feedparser.parse(fetched.body)
            for entry in parsed.entries:
                key = entry_key(entry)
                if key and key not in self.seen and key not in queued:
                    self.queue.append((feed, key, entry))
                    queued.add(key)
        return problems

    def _article(self, feed: str, key: str, entry, batch: Batch) -> None:
        link = entry.get("link")
        record = {
            "id": key,
            "title": entry.get("title"),
            "date": entry_date(entry),
            "source": feed,
            "url": link,
        }
        try:
            if not link:
                raise FetchError("no_link", "the feed entry has no link to fetch")
            page = fetch(link, self.fetch_timeout, self.max_page_bytes)
            text = extract_text(page.body, page.url)
            if not text or not text.strip():
                raise FetchError("no_text", f"no article text could be extracted from {page.url}")
        except FetchError as error:
            batch.dead_letters.append(
                DeadLetter(feed, key, "read", error.reason, str(error), excerpt(json.dumps(record)))
            )
        else:
            record["text"] = text
            batch.records.append(RawRecord(feed, key, "json", json.dumps(record).encode("utf-8"), key))
        batch.tokens.append(key)

    def next_batch(self, max_records: int, max_seconds: float, stop: threading.Event) -> Batch:
        batch = Batch()
        if not self.queue:
            wait = self.next_poll - time.monotonic()
            if wait > 0:
                stop.wait(min(wait, max_seconds))
                if time.monotonic() < self.next_poll:
                    return batch
            batch.dead_letters.extend(self._poll())
            self.next_poll = time.monotonic() + self.poll_seconds
        while self.queue and len(batch) < max_records and not stop.is_set():
            feed, key, entry = self.queue.pop(0)
            self._article(feed, key, entry, batch)
        return batch

    def commit(self, batch: Batch) -> None:
        if batch.tokens:
            self.seen.update(batch.tokens)
            save_state(self.state_file, {"seen": sorted(self.seen)})

    def backlog(self) -> int | None:
        return len(self.queue)

    def close(self) -> None:
        return None
