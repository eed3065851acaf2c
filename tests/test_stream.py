"""`parley stream`: the Redis, feed and folder sources against real servers, batch/stream parity, crash safety."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from parley.pipelines.batch import run as run_batch
from parley.pipelines.stream import run as run_stream
from parley.schemas import TABLES

from .conftest import SHARED
from .streaming_helpers import FeedServer, free_port, push, redis_server, synthetic_article
from .tables import comparable, parquet_rows

# Where a row came from differs between the two entry points; everything else must be equal.
PROVENANCE = ("input_uri", "record_key")


def stream(source: str, output: Path, *extra: str, stop: threading.Event | None = None):
    return run_stream(["--source", source, "--output", str(output), "--batch-max-seconds", "1", *extra], stop=stop)


def parity_articles(kind: str) -> list[dict]:
    if kind == "synthetic":
        return [synthetic_article(n) for n in range(50)]
    corpus = SHARED / "corpora" / "allsides_intl_2012_2020.jsonl.gz"
    if not corpus.exists():
        pytest.skip(f"{corpus} is absent: the real-news parity run reads ../shared/corpora")
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, 50)]


@pytest.mark.parametrize("kind", ["synthetic", "allsides"])
def test_redis_stream_gives_the_same_rows_as_batch(tmp_path, kind):
    articles = parity_articles(kind)
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    batch_summary = run_batch(["--input", str(jsonl), "--output", str(tmp_path / "batch")])
    with redis_server() as port:
        push(port, "articles", articles)
        summary = stream(f"redis://127.0.0.1:{port}/articles?group=parley", tmp_path / "stream", "--drain", "2")
    assert summary.balanced and batch_summary.balanced
    assert summary.count("rows_articles") == batch_summary.count("rows_articles") > 0
    for table in TABLES:
        if table == "dead_letters":
            continue
        batch_rows = comparable(parquet_rows(tmp_path / "batch", table), table, drop=PROVENANCE)
        stream_rows = comparable(parquet_rows(tmp_path / "stream", table), table, drop=PROVENANCE)
        assert batch_rows == stream_rows, table


def test_bad_messages_become_dead_letters_and_are_acknowledged(tmp_path):
    import redis

    with redis_server() as port:
        client = redis.Redis(port=port)
        client.xadd("articles", {"article": "{not json"})
        client.xadd("articles", {"article": json.dumps({"id": "no-text"})})
        client.xadd("articles", {"article": json.dumps({"id": "huge", "text": "word " * 1_100_000})})
        client.xadd("articles", {"other": "field"})
        push(port, "articles", [synthetic_article(1)])
        summary = stream(f"redis://127.0.0.1:{port}/articles?group=g", tmp_path / "out", "--drain", "2")
        assert client.xpending("articles", "g")["pending"] == 0
    dead = {d["reason"] for d in parquet_rows(tmp_path / "out", "dead_letters")}
    assert {"malformed_json", "no_text", "too_large", "bad_message"} <= dead
    assert [a["doc_id"] for a in parquet_rows(tmp_path / "out", "articles")] == ["synthetic-0001"]
    assert summary.balanced and summary.count("records_read") == 5


def test_password_in_the_uri_is_refused(tmp_path):
    from parley.pipelines.batch import UsageError

    with pytest.raises(UsageError, match="PARLEY_REDIS_PASSWORD"):
        stream("redis://user:secret@127.0.0.1:1/s?group=g", tmp_path / "out", "--drain", "1")


@pytest.mark.parametrize("flag", [["--overwrite"], ["--since-manifest", "m.json"]])
def test_batch_only_options_are_refused(tmp_path, flag):
    from parley.pipelines.batch import UsageError

    with pytest.raises(UsageError, match="batch option"):
        stream(f"dir://{tmp_path}", tmp_path / "out", "--drain", "1", *flag)


@pytest.mark.slow
def test_killed_stream_loses_nothing_and_duplicates_nothing(tmp_path):
    import redis

    output = tmp_path / "out"
    with redis_server() as port:
        uri = f"redis://127.0.0.1:{port}/articles?group=parley"
        argv = [
            sys.executable,
            "-m",
            "parley.cli",
            "stream",
            "--source",
            uri,
            "--output",
            str(output),
            "--batch-max-records",
            "20",
            "--batch-max-seconds",
            "1",
            "--quiet",
        ]
        push(port, "articles", [synthetic_article(n) for n in range(200)])
        first = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list(output.glob("parquet/articles/*/*.parquet")):
            time.sleep(0.2)
        assert list(output.glob("parquet/articles/*/*.parquet")), "the first run wrote nothing before the kill"
        first.send_signal(signal.SIGKILL)  # mid-stream: some batches written and acked, one maybe half done
        first.wait(30)
        client = redis.Redis(port=port)
        assert client.xpending("articles", "parley")["pending"] + client.xinfo_groups("articles")[0]["lag"] > 0
        push(port, "articles", [synthetic_article(n) for n in range(200, 300)])
        subprocess.run([*argv, "--drain", "3"], check=True, timeout=600, stdout=subprocess.DEVNULL)
        assert client.xpending("articles", "parley")["pending"] == 0
        assert client.xinfo_groups("articles")[0]["lag"] == 0
    articles = parquet_rows(output, "articles")
    ids = {a["doc_id"] for a in articles}
    assert ids == {f"synthetic-{n:04d}" for n in range(300)}
    # A batch replayed after the kill writes the same rows again: identical once de-duplicated by id.
    by_id: dict[str, set] = {}
    for row in articles:
        by_id.setdefault(row["article_id"], set()).add(tuple(sorted((k, str(v)) for k, v in row.items())))
    assert len(by_id) == 300 and all(len(versions) == 1 for versions in by_id.values())
    assert not list(output.rglob("*.tmp-*")) or all(p.name.startswith(".") for p in output.rglob("*.tmp-*"))


def test_feed_entries_are_processed_once_and_bad_pages_dead_lettered(tmp_path):
    server = FeedServer()
    try:
        server.add_article(
            "entry-1", "/a1", "Egypt condemned Jordan on Monday.\n\nThe Egyptian government said talks would follow."
        )
        server.add_article("entry-2", "/a2", "Kenya praised Ghana on Tuesday for its mediation between the two sides.")
        server.entries.append(("entry-slow", "/slow"))
        server.entries.append(("entry-dead", f"http://127.0.0.1:{free_port()}/gone"))
        server.slow_seconds = 3.0
        output = tmp_path / "out"
        stop = threading.Event()
        uri = f"feed+{server.base}/feed.xml"
        args = ("--poll-seconds", "1", "--fetch-timeout", "1", "--drain", "4")
        worker = threading.Thread(target=stream, args=(uri, output, *args), kwargs={"stop": stop})
        worker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(parquet_rows(output, "articles")) < 2:
            time.sleep(0.2)
        # The feed changes between polls: a new entry appears, the old ones stay listed.
        server.add_article("entry-3", "/a3", "Peru and Chile held talks in Lima on Friday about fishing rights.")
        worker.join(120)
        assert not worker.is_alive()
        articles = parquet_rows(output, "articles")
        assert sorted(a["doc_id"] for a in articles) == ["entry-1", "entry-2", "entry-3"]
        dead = {d["record_key"]: d["reason"] for d in parquet_rows(output, "dead_letters")}
        assert dead["entry-slow"] == "timeout"
        assert dead["entry-dead"] == "unreachable"
        # A restart remembers what it has done: nothing is coded again.
        summary = stream(uri, output, *args)
        assert summary.count("records_read") == 0
        assert len(parquet_rows(output, "articles")) == 3
    finally:
        server.close()


def test_watched_folder_processes_each_file_once(tmp_path):
    inbox, output = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "one.jsonl").write_text(json.dumps(synthetic_article(1)) + "\n" + json.dumps(synthetic_article(2)) + "\n")
    (inbox / "story.txt").write_text("Norway condemned Vietnam on Monday over the arrest of two sailors.")
    first = stream(f"dir://{inbox}", output, "--drain", "3", "--poll-seconds", "0.5")
    assert first.count("rows_articles") == 3
    again = stream(f"dir://{inbox}", output, "--drain", "2", "--poll-seconds", "0.5")
    assert again.count("records_read") == 0
    (inbox / "late.jsonl").write_text(json.dumps(synthetic_article(3)) + "\n")
    later = stream(f"dir://{inbox}", output, "--drain", "3", "--poll-seconds", "0.5")
    assert later.count("rows_articles") == 1
    assert sorted(a["doc_id"] for a in parquet_rows(output, "articles")) == [
        "story.txt",
        "synthetic-0001",
        "synthetic-0002",
        "synthetic-0003",
    ]
    assert os.path.isdir(output / "_state")
