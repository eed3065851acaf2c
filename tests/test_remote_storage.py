"""Parley on an object store (gs://, s3://): the write path through Beam filesystems, against the in-process
object store of tests/objectstore.py (real Beam FileSystem plumbing, a test double only for the cloud service)."""

from __future__ import annotations

import time

import pytest
from apache_beam.io.filesystem import BeamIOError
from parley.pipelines.batch import run
from parley.schemas import TABLES
from parley.transforms import write

from parley.storage import REMOTE_UPLOAD_THREADS, TEMP_NAME, AtomicFileGroup

from .conftest import SAMPLES
from .objectstore import STORE
from .tables import comparable, parquet_rows

BUCKET = "objstore://bucket"


@pytest.fixture
def store():
    yield STORE.reset()
    STORE.reset()


def hidden(keys: list[str]) -> list[str]:
    return [key for key in keys if TEMP_NAME.match(key.rsplit("/", 1)[-1])]


def add_files(files: AtomicFileGroup, count: int) -> dict[str, bytes]:
    expected = {
        f"{BUCKET}/t/dt=2020-02-{i % 28 + 1:02d}/part-{i:03d}.parquet": f"file {i}".encode() * i for i in range(count)
    }
    for path, data in expected.items():
        files.add(path, data)
    return expected


def test_a_remote_file_group_uploads_in_parallel_and_renames_with_one_call(store):
    store.latency_seconds = 0.02  # each request waits, as on GCS or S3
    files = AtomicFileGroup()
    expected = add_files(files, 40)
    assert len(files) == 40
    assert not any(key in expected for key in store.listing()), "nothing is visible before the commit"
    assert files.commit() == list(expected)
    assert store.contents() == expected, "every file whole, no temporary left"
    assert store.rename_calls == [40]
    assert 1 < store.most_uploads_in_flight <= REMOTE_UPLOAD_THREADS


def test_a_failed_remote_upload_fails_the_commit_and_leaves_nothing(store):
    store.fail_upload = lambda key: "part-007" in key
    files = AtomicFileGroup()
    add_files(files, 12)
    with pytest.raises(BeamIOError, match="part-007"):
        files.commit()
    assert store.listing() == [] and store.rename_calls == []


def test_a_failed_remote_rename_leaves_the_renamed_files_whole_and_no_temporary(store):
    store.fail_rename = lambda key: key.endswith("part-003.parquet")
    files = AtomicFileGroup()
    expected = add_files(files, 6)
    with pytest.raises(BeamIOError):
        files.commit()
    assert store.contents() == {path: data for path, data in expected.items() if not path.endswith("part-003.parquet")}


def test_a_discarded_remote_group_leaves_nothing(store):
    store.latency_seconds = 0.01
    files = AtomicFileGroup()
    add_files(files, 50)  # more than the uploads a group may have waiting: add blocks until some finish
    files.discard()
    assert store.listing() == [] and len(files) == 0 and files.commit() == []


def test_a_batch_run_reads_and_writes_an_object_store_as_a_local_folder(store, tmp_path, monkeypatch):
    for article in sorted(SAMPLES.iterdir()):
        store.put(f"{BUCKET}/archive/{article.name}", article.read_bytes())
    output = f"{BUCKET}/out"
    remote = run(["--input", f"{BUCKET}/archive/*", "--output", output])
    local = run(["--input", str(SAMPLES), "--output", str(tmp_path / "local")])
    assert remote.balanced and remote.count("records_read") == local.count("records_read") == 6
    written = store.listing(output)
    assert written and not hidden(written)
    relative = sorted(str(p.relative_to(tmp_path / "local")) for p in (tmp_path / "local").rglob("*") if p.is_file())
    assert [key.removeprefix(f"{output}/") for key in written] == relative, "the same file names as a local run"
    assert remote.count("files_written") == len(written)
    mirror = store.mirror(output, tmp_path / "mirror")
    for table in TABLES:
        # The same rows but for where each article was read from.
        where = ("input_uri",) if table == "articles" else ()
        assert comparable(parquet_rows(mirror, table), table, drop=where) == comparable(
            parquet_rows(tmp_path / "local", table), table, drop=where
        ), table
    assert {row["input_uri"] for row in parquet_rows(mirror, "articles")} == {
        f"{BUCKET}/archive/{article.name}" for article in SAMPLES.iterdir()
    }

    # What a killed earlier run left in the output: a hidden temporary, an hour old. A rerun sweeps
    # it and rewrites the same files; --overwrite deletes the table files first and writes them again.
    stale = f"{output}/parquet/articles/dt=2020-11-17/.part-x.parquet.tmp-0123456789ab"
    store.put(stale, b"half", modified=time.time() - 3600)
    # A process sweeps an output folder at most every ten minutes (for micro-batch streams); a rerun is a new
    # process.
    monkeypatch.setattr(write, "_LAST_SWEEP", {})
    again = run(["--input", f"{BUCKET}/archive/*", "--output", output])
    assert again.balanced and again.count("temp_files_swept") == 1
    assert store.listing(output) == written
    replaced = run(["--input", f"{BUCKET}/archive/*", "--output", output, "--overwrite"])
    assert replaced.balanced and replaced.count("files_replaced") == len(written)
    assert store.listing(output) == written
