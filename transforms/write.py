"""WriteTables: table rows -> Avro and Parquet files, Hive-partitioned by date.

Layout: OUT/{avro,parquet}/<table>/dt=YYYY-MM-DD/part-SSSSS-of-NNNNN-<hash>.{avro,parquet}.
Rows of one (table, dt) partition are counted first; the count decides the number of files (at most
--max-rows-per-file rows each) and every row goes to a file by the hash of its id. Each file group is
written once as Avro and once as Parquet from the same sorted rows, so the formats hold the same rows, and
atomically: a bundle's files are written under temporary names and renamed into place together at the end of
the bundle, after one sync to disk (storage.AtomicFileGroup; on an object store such as gs:// the uploads run 16
at a time and the renames go as one call). Counts `rows_<table>` and `files_written`.

A side branch sweeps the hidden temporary files a killed earlier run left in the table folders (only files
named like write_atomic's temporaries and older than this run's start; see storage.sweep_stale_temporaries;
at most once per output folder every ten minutes in one process, for micro-batch streaming) and counts them as
`temp_files_swept`. Readers skip those files anyway: they are hidden and do not end in
`.parquet` / `.avro`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows
from parley.transforms.common import METRICS_NAMESPACE, TableRows, flattened_inputs

from parley.storage import AtomicFileGroup, join, sweep_stale_temporaries
from parley.tables import (
    avro_bytes,
    file_stem,
    parquet_bytes,
    partition_folder,
    shard_count,
    shard_of,
    sort_rows,
    table_folders,
)


def write_partition_files(
    files: AtomicFileGroup, output: str, table: str, dt: str, shard: int, shards: int, rows: list[dict]
) -> list[str]:
    """Add one file group (Avro + Parquet) to `files`; returns the two paths they will have once committed."""
    ordered = sort_rows(table, rows)
    stem = file_stem(table, ordered, shard, shards)
    paths = []
    for fmt, encode in (("avro", avro_bytes), ("parquet", parquet_bytes)):
        path = join(partition_folder(output, fmt, table, dt), f"{stem}.{fmt}")
        files.add(path, encode(table, ordered))
        paths.append(path)
    return paths


class _AssignShardFn(beam.DoFn):
    def __init__(self, max_rows_per_file: int) -> None:
        self.max_rows_per_file = max_rows_per_file

    def process(self, element: TableRows, counts: dict) -> Iterable:
        table, dt = element.table, element.dt
        shards = shard_count(counts[(table, dt)], self.max_rows_per_file)
        if shards == 1:
            yield (table, dt, 0, 1), element
            return
        by_shard: dict[int, list[dict]] = {}
        for row in element.rows():
            by_shard.setdefault(shard_of(table, row, shards), []).append(row)
        for shard, shard_rows in by_shard.items():
            yield (table, dt, shard, shards), TableRows.pack(table, dt, shard_rows)


class _WriteGroupFn(beam.DoFn):
    def __init__(self, output: str) -> None:
        self.output = output
        self.files = Metrics.counter(METRICS_NAMESPACE, "files_written")
        self.counters: dict[str, object] = {}

    def start_bundle(self) -> None:
        self.pending = AtomicFileGroup()
        self.written: list[tuple] = []

    def process(self, element) -> Iterable:
        (table, dt, shard, shards), batches = element
        rows = [row for batch in batches for row in batch.rows()]
        try:
            paths = write_partition_files(self.pending, self.output, table, dt, shard, shards, rows)
        except BaseException:
            self.pending.discard()
            raise
        counter = self.counters.get(table)
        if counter is None:
            counter = self.counters[table] = Metrics.counter(METRICS_NAMESPACE, f"rows_{table}")
        counter.inc(len(rows))
        self.files.inc(len(paths))
        self.written.append((table, dt, len(rows), tuple(paths)))
        return []

    def finish_bundle(self) -> Iterable:
        # The file groups are reported only once they are visible.
        self.pending.commit()
        for group in self.written:
            yield GlobalWindows.windowed_value(group)


# Output folder -> when this process last swept it. A stream writes a micro-batch pipeline every few seconds:
# listing every table folder (on GCS, every object) each time would cost more than the writes.
_LAST_SWEEP: dict[str, float] = {}
SWEEP_INTERVAL_SECONDS = 600.0


class _SweepStaleTemporariesFn(beam.DoFn):
    def __init__(self, started_at: float) -> None:
        self.started_at = started_at
        self.swept = Metrics.counter(METRICS_NAMESPACE, "temp_files_swept")

    def process(self, output: str) -> Iterable:
        if self.started_at - _LAST_SWEEP.get(output, float("-inf")) < SWEEP_INTERVAL_SECONDS:
            return []
        _LAST_SWEEP[output] = self.started_at
        removed = sweep_stale_temporaries(table_folders(output), self.started_at)
        self.swept.inc(len(removed))
        return []


class WriteTables(beam.PTransform):
    """PCollection[TableRows] -> PCollection[(table, dt, rows, paths)] of written file groups."""

    def __init__(self, output: str, max_rows_per_file: int = 100_000, started_at: float | None = None) -> None:
        super().__init__()
        self.output = output
        self.max_rows_per_file = max_rows_per_file
        # The run's start (the graph is built when the run starts): temporaries older than this are stale.
        self.started_at = time.time() if started_at is None else started_at

    def expand(self, rows):
        _ = (
            rows.pipeline
            | "OutputFolder" >> beam.Create([self.output])
            | "SweepStaleTemporaries" >> beam.ParDo(_SweepStaleTemporariesFn(self.started_at))
        )
        # Count where the rows are produced, before the Flattens that gather them: the local runner writes out
        # every row of a Flatten's output once more for a consumer that waits on a side input computed from it.
        produced = flattened_inputs(rows)
        sizes = [
            pieces | f"PartitionOf{index}" >> beam.Map(lambda element: ((element.table, element.dt), element.n_rows))
            for index, pieces in enumerate(produced)
        ]
        if len(sizes) > 1:
            sizes = [tuple(sizes) | "PartitionSizes" >> beam.Flatten()]
        counts = sizes[0] | "CountPerPartition" >> beam.CombinePerKey(sum)
        return (
            rows
            | "AssignFile" >> beam.ParDo(_AssignShardFn(self.max_rows_per_file), counts=beam.pvalue.AsDict(counts))
            | "GroupByFile" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(_WriteGroupFn(self.output))
        )
