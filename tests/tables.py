"""Read Parley's output tables back (Parquet through pyarrow.dataset, Avro through fastavro) for tests."""

from __future__ import annotations

import glob
import os
from datetime import date, datetime
from pathlib import Path

import fastavro
import pyarrow.dataset as ds
from parley.schemas import PRIMARY_KEYS, field_names
from parley.transforms.common import NULL_PARTITION


def parquet_rows(output: Path | str, table: str) -> list[dict]:
    folder = os.path.join(output, "parquet", table)
    if not os.path.isdir(folder):
        return []
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    rows = dataset.to_table().to_pylist()
    for row in rows:
        # Hive partition values come back typed (or null for the default partition); keep them as text.
        row["dt"] = None if row.get("dt") is None else str(row["dt"])
    return sorted(rows, key=lambda row: row[PRIMARY_KEYS[table]])


def avro_rows(output: Path | str, table: str) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(output, "avro", table, "dt=*", "*.avro"))):
        dt = Path(path).parent.name.removeprefix("dt=")
        with open(path, "rb") as handle:
            for row in fastavro.reader(handle):
                rows.append({**row, "dt": None if dt == NULL_PARTITION else dt})
    return sorted(rows, key=lambda row: row[PRIMARY_KEYS[table]])


def comparable(rows: list[dict], table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """Rows as tuples over the schema's columns (and dt), for set comparisons across runs and formats."""
    columns = [c for c in [*field_names(table), "dt"] if c not in drop]
    return sorted(tuple(_hashable(row.get(c)) for c in columns) for row in rows)


def _hashable(value):
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
