"""Output integrity: every Avro file validates against its schema, every Parquet file opens with pyarrow and
DuckDB, a run killed (SIGKILL) while writing leaves no partial file where readers look, and a re-run completes
the tables to exactly the rows of an uninterrupted run, sweeping the killed run's stale temporary files.

Three runs: an uninterrupted reference run, a `parley batch` subprocess killed (SIGKILL to its process group)
0.3 s after its first output file appears, and a re-run into the killed run's folder. `--max-rows-per-file 2`
makes ~2,300 small files, so the kill lands early in the writing, sometimes with a temporary file half-written.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import fastavro
import fastavro.validation
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from parley.pipelines.batch import run
from parley.schemas import TABLES, arrow_schema, avro_schema, parsed_avro_schema

from parley.storage import TEMP_NAME, sweep_stale_temporaries

from .conftest import REPO
from .tables import avro_rows, comparable, parquet_rows

pytestmark = pytest.mark.slow  # three pipeline runs, one of them a killed subprocess

DATA_TABLES = [t for t in TABLES if t != "dead_letters"]
ROWS_PER_FILE = "2"
KILL_DELAY = 0.3  # seconds after the first output file appears
# Strings that have broken writers and readers elsewhere: NUL, control characters, a lone surrogate (as a JSON
# escape), emoji, right-to-left text, markup, quotes.
ODD = [
    " A NUL \u0000 inside.",
    " A bell \x07 and an escape \x1b[0m.",
    " Emoji 😀🇺🇳 and CJK 外交部.",
    " Arabic \u200fمرحبا\u200f in the middle.",
    " Broken \ud800 surrogate.",
    " <b>Markup</b> &amp; entities.",
    " 'Single' and \"double\" quotes.",
    " Tab\tinside.",
]
PAIRS = [
    ("Egypt", "Jordan", "Cairo"),
    ("France", "Germany", "Paris"),
    ("Japan", "India", "Tokyo"),
    ("Kenya", "Ethiopia", "Nairobi"),
    ("Norway", "Sweden", "Oslo"),
    ("Poland", "Lithuania", "Warsaw"),
]


def corpus_line(index: int) -> dict:
    first, second, city = PAIRS[index % len(PAIRS)]
    odd = ODD[index % len(ODD)]
    day = date(2020, 1, 1) + timedelta(days=index % 45)
    published = {0: "0001-01-01T00:00:00+05:00", 1: "9999-12-31"}.get(index % 50, day.isoformat())
    text = (
        f"{first} and {second} held talks in {city} on Monday about trade, officials said (report {index}).{odd}\n\n"
        f"The foreign minister of {first} praised {second} for its help and agreed to visit next month."
    )
    return {"id": f"c{index}", "title": f"Talks {index}{odd}", "text": text, "date": published, "source": "Wire"}


def write_corpus(folder: Path, articles: int = 160) -> Path:
    folder.mkdir(parents=True)
    lines = [json.dumps(corpus_line(i)) for i in range(articles)]
    lines += ['{"id": "broken", "text": ', '{"id": "nulltext", "text": null}']
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def batch_argv(corpus: Path, output: Path) -> list[str]:
    return ["--input", str(corpus), "--output", str(output), "--max-rows-per-file", ROWS_PER_FILE]


def output_files(output: Path) -> tuple[list[Path], list[Path]]:
    """(visible table files, hidden temporary files)."""
    visible, temporary = [], []
    for path in output.rglob("*"):
        if path.is_file():
            (temporary if path.name.startswith(".") else visible).append(path)
    return sorted(visible), sorted(temporary)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity")
    corpus = write_corpus(root / "in")
    reference = root / "reference"
    reference_summary = run(batch_argv(corpus, reference))

    killed = root / "killed"
    started = time.monotonic()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(root / "killed.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "parley.cli", "batch", *batch_argv(corpus, killed)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill reaches any worker it started
        )
        try:
            while time.monotonic() - started < 300 and process.poll() is None:
                if killed.exists() and any(p.is_file() for p in killed.rglob("*")):
                    break
                time.sleep(0.005)
            first_file = time.monotonic() - started
            time.sleep(KILL_DELAY)  # well into the writing: some files done, others not started or half-written
            was_running = process.poll() is None
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=60)
    visible_at_kill, temporary_at_kill = output_files(killed)
    at_kill = {
        "first_file": first_file,
        "seconds": time.monotonic() - started,
        "was_running": was_running,
        "returncode": process.returncode,
        "visible": visible_at_kill,
        "temporary": temporary_at_kill,
        "state": {str(p): p.stat().st_size for p in visible_at_kill},
    }
    # A partial file where readers look would show up here, before the re-run rewrites it.
    checked_at_kill = check_every_file(killed)

    # The re-run comes later than the kill: age what the killed run left so that it is stale (plus one planted
    # leftover, in case the kill fell between two files), and plant a fresh temporary file (as a concurrent
    # writer would have) that must survive the sweep.
    planted = killed / "avro" / "topics" / "dt=2020-01-02" / f".part-00000-of-00001-{'1' * 16}.avro.tmp-{'b' * 12}"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(b"half an Avro file")
    stale = [*temporary_at_kill, planted]
    for path in stale:
        os.utime(path, (time.time() - 600, time.time() - 600))
    fresh = (
        killed
        / "parquet"
        / "articles"
        / "dt=2020-01-01"
        / f".{'part-00000-of-00001-' + '0' * 16}.parquet.tmp-{'a' * 12}"
    )
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"not parquet: a file another writer is still writing")
    rerun_summary = run(batch_argv(corpus, killed))
    return {
        "reference": reference,
        "reference_summary": reference_summary,
        "killed": killed,
        "at_kill": at_kill,
        "checked_at_kill": checked_at_kill,
        "fresh": fresh,
        "stale": stale,
        "rerun_summary": rerun_summary,
        "log": (root / "killed.log").read_text(errors="replace"),
    }


def check_every_file(output: Path) -> dict[str, int]:
    """Validate every visible table file; returns the number of files and rows checked per format."""
    counts = {"avro_files": 0, "avro_rows": 0, "parquet_files": 0, "parquet_rows": 0}
    for table in TABLES:
        schema = parsed_avro_schema(table)
        field_types = {f["name"]: f["type"] for f in avro_schema(table)["fields"]}
        for path in sorted(glob.glob(str(output / "avro" / table / "*" / "*.avro"))):
            with open(path, "rb") as handle:
                reader = fastavro.reader(handle, reader_schema=schema)
                written = {f["name"]: f["type"] for f in reader.writer_schema["fields"]}
                rows = list(reader)
            assert written.keys() == field_types.keys(), path
            assert fastavro.validation.validate_many(rows, schema, raise_errors=True), path
            assert rows, f"an empty Avro file: {path}"
            counts["avro_files"] += 1
            counts["avro_rows"] += len(rows)
        for path in sorted(glob.glob(str(output / "parquet" / table / "*" / "*.parquet"))):
            parquet = pq.read_table(path)
            assert parquet.schema.equals(arrow_schema(table), check_metadata=False), path
            assert parquet.num_rows > 0, path
            (in_duckdb,) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0]
            assert in_duckdb == parquet.num_rows, path
            counts["parquet_files"] += 1
            counts["parquet_rows"] += parquet.num_rows
    return counts


def test_the_kill_came_while_the_run_was_writing(runs):
    at_kill, reference = runs["at_kill"], runs["reference"]
    assert at_kill["was_running"], f"the run ended before it could be killed:\n{runs['log']}"
    assert at_kill["returncode"] == -signal.SIGKILL
    assert len(at_kill["visible"]) < len(output_files(reference)[0])


def test_a_killed_run_leaves_no_partial_file_where_readers_look(runs):
    at_kill = runs["at_kill"]
    # Every file a reader could see at the moment of the kill was complete (checked before the re-run).
    assert runs["checked_at_kill"]["avro_files"] + runs["checked_at_kill"]["parquet_files"] == len(at_kill["visible"])
    assert all(p.suffix in (".avro", ".parquet") for p in at_kill["visible"])
    assert all(TEMP_NAME.match(p.name) for p in at_kill["temporary"])


def test_every_file_validates_with_fastavro_pyarrow_and_duckdb(runs):
    for output in (runs["reference"], runs["killed"]):
        counts = check_every_file(output)
        assert counts["avro_files"] == counts["parquet_files"] > 100
        assert counts["avro_rows"] == counts["parquet_rows"]
        # The whole tables through the readers' own globs, Hive partitions included.
        for table in TABLES:
            expected = len(parquet_rows(output, table))
            (in_duckdb,) = duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{output}/parquet/{table}/*/*.parquet', hive_partitioning = true)"
            ).fetchall()[0]
            assert in_duckdb == expected == len(avro_rows(output, table)), table


def test_the_rerun_completes_the_tables_exactly(runs):
    reference, killed = runs["reference"], runs["killed"]
    assert runs["rerun_summary"].balanced and runs["reference_summary"].balanced
    for table in DATA_TABLES:
        rows = comparable(parquet_rows(killed, table), table)
        assert rows and rows == comparable(parquet_rows(reference, table), table), table
        assert comparable(avro_rows(killed, table), table) == rows, table
    # seen_at (and so dt) of dead letters is the time of the run; everything else is the same.
    drop = ("seen_at", "dt")
    assert comparable(parquet_rows(killed, "dead_letters"), "dead_letters", drop) == comparable(
        parquet_rows(reference, "dead_letters"), "dead_letters", drop
    )

    def names(output: Path) -> set[Path]:
        return {p.relative_to(output) for p in output_files(output)[0] if "dead_letters" not in p.parts}

    assert names(killed) == names(reference)


def test_stale_temporaries_are_swept_and_a_fresh_one_is_left_alone(runs):
    killed = runs["killed"]
    _, temporary = output_files(killed)
    assert temporary == [runs["fresh"]]
    assert not any(path.exists() for path in runs["stale"])
    assert runs["rerun_summary"].count("temp_files_swept") == len(runs["stale"])


def test_readers_never_see_temporary_files(runs):
    killed, fresh = runs["killed"], runs["fresh"]
    assert fresh.exists()  # garbage in a partition folder, named as a temporary file
    dataset = ds.dataset(killed / "parquet" / "articles", format="parquet", partitioning="hive")
    assert not any(".tmp-" in f for f in dataset.files)
    assert dataset.to_table().num_rows == len(parquet_rows(runs["reference"], "articles"))
    assert not any(".tmp-" in f for f in glob.glob(str(killed / "parquet" / "*" / "*" / "*.parquet")))
    duckdb.sql(f"SELECT count(*) FROM read_parquet('{killed}/parquet/articles/*/*.parquet')").fetchall()[0]


def test_sweep_deletes_only_old_files_named_as_temporaries(tmp_path):
    folder = tmp_path / "parquet" / "articles" / "dt=2020-01-01"
    folder.mkdir(parents=True)
    old = time.time() - 3600
    names = {
        ".part-00000-of-00001-0123456789abcdef.parquet.tmp-0123456789ab": True,  # stale temporary: swept
        ".part-00000-of-00001-0123456789abcdef.parquet.tmp-notahexvalue": False,  # not the exact pattern
        ".keep": False,
        "part-00000-of-00001-0123456789abcdef.parquet": False,  # a table file
        "notes.tmp-0123456789ab": False,  # not hidden
    }
    for name in names:
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (old, old))
    fresh = folder / ".part-00001-of-00002-0123456789abcdef.avro.tmp-abcdef012345"
    fresh.write_bytes(b"x")  # being written now: younger than the run's start
    removed = sweep_stale_temporaries([str(tmp_path / "parquet")], started_at=time.time())
    assert [Path(p).name for p in removed] == [n for n, swept in names.items() if swept]
    assert fresh.exists() and all((folder / n).exists() for n, swept in names.items() if not swept)
    assert sweep_stale_temporaries([str(tmp_path / "missing")], started_at=time.time()) == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from parley import storage

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", failing_replace)
    with pytest.raises(OSError):
        storage.write_atomic(str(tmp_path / "t" / "part.parquet"), b"data")
    assert list((tmp_path / "t").iterdir()) == []


def test_a_file_group_is_invisible_until_committed_then_complete(tmp_path):
    from parley.storage import AtomicFileGroup

    files = AtomicFileGroup()
    targets = {tmp_path / "a" / "dt=2020-01-01" / "part.parquet": b"one", tmp_path / "b" / "part.avro": b"two" * 1000}
    for path, data in targets.items():
        files.add(str(path), data)
    assert len(files) == 2
    for path in targets:
        assert not path.exists()
        [hidden] = path.parent.iterdir()
        assert TEMP_NAME.match(hidden.name) and TEMP_NAME.match(hidden.name).group("final") == path.name
    assert files.commit() == [str(p) for p in targets]
    assert {p: p.read_bytes() for p in targets} == targets
    assert all([*p.parent.iterdir()] == [p] for p in targets) and len(files) == 0


def test_files_named_without_a_folder_land_in_the_working_folder(tmp_path, monkeypatch):
    from parley.storage import AtomicFileGroup, write_atomic

    monkeypatch.chdir(tmp_path)
    write_atomic("state.json", b"{}")
    files = AtomicFileGroup()
    files.add("part.avro", b"rows")
    assert files.commit() == ["part.avro"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"state.json": b"{}", "part.avro": b"rows"}


def test_a_failed_rename_is_reported_even_when_removing_the_temporary_fails_too(tmp_path, monkeypatch):
    from parley import storage

    def refuse_rename(temporary: str, path: str) -> None:
        raise OSError("rename refused")

    def refuse_unlink(path: str) -> None:
        raise PermissionError("unlink refused")

    monkeypatch.setattr(storage, "_rename", refuse_rename)
    monkeypatch.setattr(storage.os, "unlink", refuse_unlink)
    with pytest.raises(OSError, match="rename refused"):
        storage.write_atomic(str(tmp_path / "state.json"), b"{}")
    # The temporary the clean-up could not remove is left for sweep_stale_temporaries, named as it expects.
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".state.json" + storage.TEMP_MARKER)


def test_a_file_group_commits_where_there_is_no_os_sync(tmp_path, monkeypatch):
    from parley import storage

    synced: list[int] = []
    real_fsync = storage.os.fsync
    monkeypatch.delattr(storage.os, "sync")  # Windows has no sync(): every file is fsynced instead
    monkeypatch.setattr(storage.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    files = storage.AtomicFileGroup()
    files.add(str(tmp_path / "t" / "a.avro"), b"one")
    files.add(str(tmp_path / "t" / "b.avro"), b"two")
    files.commit()
    assert (tmp_path / "t" / "a.avro").read_bytes() == b"one" and (tmp_path / "t" / "b.avro").read_bytes() == b"two"
    assert len(synced) == 4  # each file's contents before the renames, and again after


def test_a_discarded_or_failed_file_group_leaves_nothing(tmp_path, monkeypatch):
    from parley import storage

    files = storage.AtomicFileGroup()
    files.add(str(tmp_path / "t" / "one.parquet"), b"data")
    files.discard()
    assert list((tmp_path / "t").iterdir()) == []

    renamed: list[str] = []
    real_replace = storage.os.replace

    def replace_then_fail(source, target):
        if renamed:
            raise OSError(28, "No space left on device")
        real_replace(source, target)
        renamed.append(target)

    monkeypatch.setattr(storage.os, "replace", replace_then_fail)
    for name in ("one.parquet", "two.parquet", "three.parquet"):
        files.add(str(tmp_path / "t" / name), b"data")
    with pytest.raises(OSError):
        files.commit()
    # The file renamed before the failure is complete; the others left no temporary behind.
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["one.parquet"]


def test_a_write_that_fails_inside_a_file_group_raises_and_discarding_leaves_nothing(tmp_path):
    from parley.storage import AtomicFileGroup

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "blocked").write_text("a file where a partition folder should be")
    files = AtomicFileGroup()
    files.add(str(tmp_path / "t" / "dt=2020-01-01" / "one.parquet"), b"data")
    with pytest.raises(OSError):
        files.add(str(tmp_path / "t" / "blocked" / "two.parquet"), b"data")  # its folder cannot be made
    files.discard()  # what the table writer does when a file of its bundle fails
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == ["t/blocked"]
    assert len(files) == 0 and files.commit() == []


def test_a_large_file_group_over_many_folders_lands_whole(tmp_path):
    from parley.storage import AtomicFileGroup

    files = AtomicFileGroup()
    expected = {}
    for day in range(1, 29):
        for table in ("articles", "paragraphs", "interactions"):
            path = tmp_path / table / f"dt=2020-02-{day:02d}" / f"part-{table}.parquet"
            expected[path] = f"{table} {day}".encode() * day
            files.add(str(path), expected[path])
    assert files.commit() == [str(p) for p in expected]
    written = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == expected  # every file whole under its final name, no temporaries left


def test_write_paths_cannot_be_steered_by_input():
    from parley.tables import partition_folder

    assert partition_folder("/out", "parquet", "articles", "2020-11-17") == "/out/parquet/articles/dt=2020-11-17"
    for fmt, table, dt in [
        ("parquet", "articles", "../../etc"),
        ("parquet", "../x", "2020-11-17"),
        ("csv", "articles", "2020-11-17"),
        ("avro", "articles", "2020-11-17/../../x"),
    ]:
        with pytest.raises(ValueError, match="refusing"):
            partition_folder("/out", fmt, table, dt)
