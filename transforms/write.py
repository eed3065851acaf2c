"""WriteTables: table rows -> Avro and Parquet files, Hive-partitioned by date.

Layout: OUT/{avro,parquet}/<table>/dt=YYYY-MM-DD/part-SSSSS-of-NNNNN-<hash>.{avro,parquet}.
Rows of one (table, dt) partition are counted first; the count decides the number of files (at most
--max-rows-per-file rows each) and every row goes to a file by the hash of its id. Each file group is
written once as Avro and once as Parquet from the same sorted rows, so the formats hold the same rows, and
atomically (temporary name, then rename). Counts `rows_<table>` and `files_written`.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import METRICS_NAMESPACE, TableRow

from parley.storage import join, write_atomic
from parley.tables import (
    avro_bytes,
    file_stem,
    parquet_bytes,
    partition_folder,
    shard_count,
    shard_of,
    sort_rows,
)


def write_partition_files(output: str, table: str, dt: str, shard: int, shards: int, rows: list[dict]) -> list[str]:
    """Write one file group (Avro + Parquet) and return the two paths."""
    ordered = sort_rows(table, rows)
    stem = file_stem(table, ordered, shard, shards)
    paths = []
    for fmt, encode in (("avro", avro_bytes), ("parquet", parquet_bytes)):
        path = join(partition_folder(output, fmt, table, dt), f"{stem}.{fmt}")
        write_atomic(path, encode(table, ordered))
        paths.append(path)
    return paths


class _AssignShardFn(beam.DoFn):
    def __init__(self, max_rows_per_file: int) -> None:
        self.max_rows_per_file = max_rows_per_file

    def process(self, element: TableRow, counts: dict) -> Iterable:
        table, dt, row = element
        shards = shard_count(counts[(table, dt)], self.max_rows_per_file)
        yield (table, dt, shard_of(table, row, shards), shards), row


class _WriteGroupFn(beam.DoFn):
    def __init__(self, output: str) -> None:
        self.output = output
        self.files = Metrics.counter(METRICS_NAMESPACE, "files_written")
        self.counters: dict[str, object] = {}

    def process(self, element) -> Iterable:
        (table, dt, shard, shards), rows = element
        rows = list(rows)
        paths = write_partition_files(self.output, table, dt, shard, shards, rows)
        counter = self.counters.get(table)
        if counter is None:
            counter = self.counters[table] = Metrics.counter(METRICS_NAMESPACE, f"rows_{table}")
        counter.inc(len(rows))
        self.files.inc(len(paths))
        yield table, dt, len(rows), tuple(paths)


class WriteTables(beam.PTransform):
    """PCollection[TableRow] -> PCollection[(table, dt, rows, paths)] of written file groups."""

    def __init__(self, output: str, max_rows_per_file: int = 100_000) -> None:
        super().__init__()
        self.output = output
        self.max_rows_per_file = max_rows_per_file

    def expand(self, rows):
        counts = (
            rows
            | "PartitionOf" >> beam.Map(lambda element: ((element[0], element[1]), 1))
            | "CountPerPartition" >> beam.CombinePerKey(sum)
        )
        return (
            rows
            | "AssignFile" >> beam.ParDo(_AssignShardFn(self.max_rows_per_file), counts=beam.pvalue.AsDict(counts))
            | "GroupByFile" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(_WriteGroupFn(self.output))
        )
