"""Encode table rows as Avro and Parquet (both from the `.avsc` schemas) and name the files.

A file's name is a hash of the ids it holds, so the same rows always land in the same file name: re-running
a job over the same input rewrites identical files instead of adding copies.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

from parley.ids import content_id, stable_bucket
from parley.schemas import PRIMARY_KEYS, TABLES, arrow_schema, parsed_avro_schema

AVRO_CODEC = "deflate"  # in the Avro spec, readable by BigQuery, Spark and DuckDB without extra codecs
PARQUET_COMPRESSION = "snappy"


def sort_rows(table: str, rows: Sequence[dict]) -> list[dict]:
    key = PRIMARY_KEYS[table]
    return sorted(rows, key=lambda row: row[key])


def avro_bytes(table: str, rows: Sequence[dict]) -> bytes:
    import fastavro

    buffer = io.BytesIO()
    # No per-record validation: the same rows go through pyarrow's strict schema for Parquet, and the tests
    # validate every Avro file; validating here cost ~1.5% of a run.
    fastavro.writer(buffer, parsed_avro_schema(table), rows, codec=AVRO_CODEC, validator=False)
    return buffer.getvalue()


def parquet_bytes(table: str, rows: Sequence[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_table = pa.Table.from_pylist(list(rows), schema=arrow_schema(table))
    # Arrow's own in-memory sink: ~12% less per file than a BytesIO wrapped as a Python file (measured over the
    # benchmark's 1,160 small Parquet files).
    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table, sink, compression=PARQUET_COMPRESSION)
    return sink.getvalue().to_pybytes()


def shard_count(rows_in_partition: int, max_rows_per_file: int) -> int:
    return max(1, math.ceil(rows_in_partition / max_rows_per_file))


def shard_of(table: str, row: dict, shards: int) -> int:
    return stable_bucket(row[PRIMARY_KEYS[table]], shards)


def file_stem(table: str, rows: Sequence[dict], shard: int, shards: int) -> str:
    digest = content_id(table, *(row[PRIMARY_KEYS[table]] for row in rows))[:16]
    return f"part-{shard:05d}-of-{shards:05d}-{digest}"


FORMATS = ("avro", "parquet")
_PARTITION_VALUE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|__HIVE_DEFAULT_PARTITION__)$")


def partition_folder(output: str, fmt: str, table: str, dt: str) -> str:
    """OUT/<fmt>/<table>/dt=<dt>. Every part is checked, so nothing read from the input (a file or member name,
    a JSON id, a date string) can make a write land anywhere but a partition folder under --output."""
    from parley.storage import join

    if fmt not in FORMATS or table not in TABLES or not _PARTITION_VALUE.match(dt):
        raise ValueError(f"refusing to write outside the table layout: format {fmt!r}, table {table!r}, dt {dt!r}")
    return join(output, fmt, table, f"dt={dt}")


def table_folders(output: str) -> list[str]:
    """OUT/<fmt>/<table> for every format and table: the only folders Parley writes in."""
    from parley.storage import join

    return [join(output, fmt, table) for fmt in FORMATS for table in TABLES]
