"""`parley batch` end to end on DirectRunner: files on disk, both formats, determinism, multi-processing,
a real corpus with a folder of bad inputs, and warehouse reads with DuckDB."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from parley.pipelines.batch import UsageError, run
from parley.schemas import TABLES, field_names

from .conftest import SAMPLES, shared_file
from .tables import avro_rows, comparable, parquet_rows

DATA_TABLES = [t for t in TABLES if t != "dead_letters"]


def batch(inputs: list[Path | str], output: Path, *extra: str):
    argv = [arg for item in inputs for arg in ("--input", str(item))] + ["--output", str(output), *extra]
    return run(argv)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[Path, object]:
    output = tmp_path_factory.mktemp("samples") / "out"
    return output, batch([SAMPLES], output)


def listing(output: Path) -> list[str]:
    return sorted(str(p.relative_to(output)) for p in output.rglob("*") if p.is_file())


def test_samples_produce_every_table_in_both_formats(sample_run):
    output, summary = sample_run
    assert summary.balanced and summary.count("records_read") == 6 and summary.count("rows_articles") == 6
    files = listing(output)
    for table in DATA_TABLES:
        assert any(f.startswith(f"parquet/{table}/dt=") and f.endswith(".parquet") for f in files), table
        assert any(f.startswith(f"avro/{table}/dt=") and f.endswith(".avro") for f in files), table
    assert not any(".tmp-" in f for f in files)
    assert summary.count("rows_interactions") == len(parquet_rows(output, "interactions")) > 20


def test_avro_and_parquet_hold_the_same_rows_and_columns(sample_run):
    output, _ = sample_run
    for table in DATA_TABLES:
        parquet, avro = parquet_rows(output, table), avro_rows(output, table)
        assert parquet, table
        assert set(parquet[0]) == set(avro[0]) == {*field_names(table), "dt"}
        assert comparable(parquet, table) == comparable(avro, table), table


def test_doc_id_is_kept_next_to_the_content_hash(sample_run):
    output, _ = sample_run
    articles = parquet_rows(output, "articles")
    assert {"seed_article.txt", "demo-0001", "mediation_offer.txt"} <= {a["doc_id"] for a in articles}
    interactions = parquet_rows(output, "interactions")
    assert {"seed_article.txt", "demo-0002"} <= {r["doc_id"] for r in interactions}
    assert all(len(r["interaction_id"]) == 24 for r in interactions)


def test_rerun_gives_identical_files_ids_and_rows(sample_run, tmp_path):
    output, _ = sample_run
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    before = {t: comparable(parquet_rows(copy, t), t) for t in DATA_TABLES}
    batch([SAMPLES], copy)  # same input, same output folder
    assert listing(copy) == listing(output)
    for table in DATA_TABLES:
        assert comparable(parquet_rows(copy, table), table) == before[table], table


def test_overwrite_replaces_an_earlier_runs_tables_and_nothing_else(sample_run, tmp_path):
    output, _ = sample_run
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    # What an earlier Parley version left: a file of other rows in a partition, a killed write, a user's note.
    stale = copy / "parquet" / "interactions" / "dt=2020-11-17" / "part-00000-of-00001-0123456789abcdef.parquet"
    stale.write_bytes((next((copy / "parquet" / "interactions").rglob("*.parquet"))).read_bytes())
    temporary = stale.parent / ".part-x.parquet.tmp-0123456789ab"
    temporary.write_bytes(b"half")
    note = copy / "parquet" / "README.txt"
    note.write_text("kept")
    summary = batch([SAMPLES], copy, "--overwrite")
    assert summary.count("files_replaced") == len(listing(output)) + 2
    assert [p for p in listing(copy) if p != "parquet/README.txt"] == listing(output)
    assert not stale.exists() and not temporary.exists()
    assert note.read_text() == "kept"
    for table in DATA_TABLES:
        assert comparable(parquet_rows(copy, table), table) == comparable(parquet_rows(output, table), table)


def test_overwrite_and_manifest_together_are_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="contradict"):
        batch([SAMPLES], tmp_path / "out", "--overwrite", "--since-manifest", str(tmp_path / "manifest.json"))


def test_multiprocessing_runner_gives_the_same_rows(sample_run, tmp_path):
    output, _ = sample_run
    multi = tmp_path / "multi"
    summary = batch([SAMPLES], multi, "--direct_num_workers", "2", "--direct_running_mode", "multi_processing")
    assert summary.balanced
    for table in DATA_TABLES:
        assert comparable(parquet_rows(multi, table), table) == comparable(parquet_rows(output, table), table), table


def test_articles_split_over_inference_batches_give_the_same_rows_and_files(sample_run, tmp_path):
    # Batches of 3 paragraphs cut every sample article into several ArticleAnalyses, which the join puts back.
    output, _ = sample_run
    small = tmp_path / "small-batches"
    summary = batch([SAMPLES], small, "--annotate-batch-size", "3")
    assert summary.balanced and summary.count("paragraphs_annotated") == summary.count("rows_paragraphs") > 3 * 6
    assert listing(small) == listing(output)
    for table in DATA_TABLES:
        assert comparable(parquet_rows(small, table), table) == comparable(parquet_rows(output, table), table), table


def test_duckdb_reads_the_hive_partitioned_tables(sample_run):
    output, _ = sample_run
    top = duckdb.sql(
        f"""
        SELECT source_country, target_country, count(*) AS n
        FROM read_parquet('{output}/parquet/interactions/*/*.parquet', hive_partitioning = true)
        WHERE target_country IS NOT NULL
        GROUP BY ALL ORDER BY n DESC, source_country, target_country LIMIT 3
        """
    ).fetchall()
    assert top[0][2] >= top[-1][2] >= 1
    days = duckdb.sql(
        "SELECT DISTINCT CAST(dt AS VARCHAR) "
        f"FROM read_parquet('{output}/parquet/articles/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert ("2020-11-17",) in days


def test_missing_options_are_a_usage_error():
    with pytest.raises(UsageError, match="--input"):
        run(["--output", "/tmp/x"])
    with pytest.raises(UsageError, match="--output"):
        run(["--input", "/tmp/x"])


def write_bad_inputs(folder: Path) -> dict[str, str]:
    """A folder of broken inputs and the dead-letter reason each must produce."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Le président a discuté à Paris de la guerre.".encode("latin-1"))
    (folder / "broken.jsonl").write_text(
        '{"id": "ok-1", "text": "Iran and Iraq held talks in Baghdad."}\n'
        '{"id": "bad", "text": \n'
        '{"id": "nulltext", "text": null}\n'
    )
    (folder / "truncated.jsonl.gz").write_bytes(
        gzip.compress(b'{"id": "t1", "text": "Egypt praised Jordan."}\n' * 50)[:-30]
    )
    (folder / "looks_like_article.txt").mkdir()
    return {
        "empty": "empty",
        "latin1": "invalid_utf8",
        "broken.jsonl line 2": "malformed_json",
        "broken.jsonl line 3": "no_text",
        "truncated": "corrupt_archive",
        "looks_like_article": "not_a_file",
    }


@pytest.mark.slow
def test_corpus_with_bad_inputs_reconciles(tmp_path):
    corpus = shared_file("corpora", "allsides_intl_2012_2020.jsonl.gz")
    articles = tmp_path / "allsides200.jsonl.gz"
    with (
        gzip.open(corpus, "rt", encoding="utf-8") as source,
        gzip.open(articles, "wt", encoding="utf-8") as target,
    ):
        for line in itertools.islice(source, 200):
            target.write(line)
    expected = write_bad_inputs(tmp_path / "bad")
    summary = batch([articles, tmp_path / "bad"], tmp_path / "out")
    dead = parquet_rows(tmp_path / "out", "dead_letters")
    written = parquet_rows(tmp_path / "out", "articles")
    assert summary.balanced
    assert summary.count("records_read") == len(written) + len([d for d in dead if d["stage"] != "annotate"])
    assert len(written) >= 200  # 200 corpus articles (less exact duplicates) + the good line of broken.jsonl
    for hint, reason in expected.items():
        path_part, _, key = hint.partition(" ")
        matching = [d for d in dead if path_part in d["input_uri"] and (not key or d["record_key"] == key)]
        assert any(d["reason"] == reason for d in matching), (hint, reason, matching)
    assert all(d["stage"] and d["error"] for d in dead)
    # The truncated archive still yields the records before the damage.
    assert any(a["doc_id"] == "t1" for a in written)
    assert len(parquet_rows(tmp_path / "out", "interactions")) > 200
    # Every id in the JSONL corpus slice is accounted for: an article or a duplicate dead letter.
    with gzip.open(articles, "rt", encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    duplicates = [d for d in dead if d["reason"] == "duplicate" and "allsides200" in d["input_uri"]]
    assert len({a["doc_id"] for a in written} & set(ids)) + len(duplicates) == len(ids)
    assert os.path.isdir(tmp_path / "out" / "parquet" / "dead_letters")


def test_since_manifest_skips_files_already_processed(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(SAMPLES / "seed_article.txt", archive / "seed_article.txt")
    manifest = tmp_path / "tables" / "_manifest.json"
    common = ["--input", str(archive), "--output", str(tmp_path / "tables"), "--since-manifest", str(manifest)]
    first = run(common)
    assert first.count("rows_articles") == 1 and manifest.exists()
    recorded = json.loads(manifest.read_text())["files"]
    assert list(recorded) == [str(archive / "seed_article.txt")]
    # Nothing new: nothing is read, nothing is written again.
    second = run(common)
    assert second.count("records_read") == 0 and second.count("files_skipped") == 1
    # A new file and a changed file are both coded; the unchanged one is not.
    shutil.copy(SAMPLES / "mediation_offer.txt", archive / "mediation_offer.txt")
    (archive / "seed_article.txt").write_text(
        (SAMPLES / "seed_article.txt").read_text() + "\n\nEgypt praised Jordan.\n"
    )
    third = run(common)
    assert third.count("records_read") == 2 and third.count("files_skipped") == 0
    assert len(json.loads(manifest.read_text())["files"]) == 2


def test_a_failed_run_records_nothing_in_the_manifest(tmp_path):
    manifest = tmp_path / "m.json"
    with pytest.raises(UsageError):
        run(["--input", str(SAMPLES), "--since-manifest", str(manifest)])  # no --output: fails before running
    assert not manifest.exists()


def _run_on_a_terminal(argv: list[str]) -> str:
    """Run a command with its stdout on a pseudo-terminal; return everything it wrote there."""
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "parley.cli", *argv], stdout=follower, stderr=subprocess.DEVNULL, close_fds=True
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    process.wait(120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_progress_is_shown_on_a_terminal_and_quiet_otherwise(tmp_path):
    import re

    # The status line reads "... articles 3/6 ..." (the final summary has no slash); the terminal turns each
    # newline into CR LF, so a bare CR not followed by LF marks the line being redrawn.
    status = re.compile(r"articles \d+/\d+")
    shown = _run_on_a_terminal(["batch", "--input", str(SAMPLES), "--output", str(tmp_path / "a")])
    assert status.search(shown) and re.search(r"\r(?!\n)", shown) and "finished" in shown
    quiet = _run_on_a_terminal(["batch", "--input", str(SAMPLES), "--output", str(tmp_path / "b"), "--quiet"])
    assert not status.search(quiet) and not re.search(r"\r(?!\n)", quiet) and "finished" in quiet
