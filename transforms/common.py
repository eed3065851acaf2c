"""Shared vocabulary of the transforms: output tags, metric names, table-row tuples, dead-letter rows."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

import apache_beam as beam

from parley.codebooks import CODER_VERSION
from parley.ids import content_id
from parley.records import DeadLetter

METRICS_NAMESPACE = "parley"
DEAD_LETTERS = "dead_letters"
# Hive's name for the partition of rows whose partition value is null (no publication date).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


class TableRows(NamedTuple):
    """A batch of rows of one table and Hive partition (dt), its rows pickled once where they are made.

    Rows travel in batches, one element per article and table (a dead letter alone) rather than one per row:
    each element costs Beam about 16 microseconds per stage on the local runner, and the 300-article benchmark
    writes 37,000 rows. They travel packed because the local runner decodes and re-encodes every element at each
    Flatten and GroupByKey on the way to the writer: bytes cross those as a copy, where dicts of datetimes were
    pickled and unpickled at every hop. Make one with `TableRows.pack`; `rows()` unpacks.
    """

    table: str
    dt: str
    n_rows: int
    packed_rows: bytes

    @classmethod
    def pack(cls, table: str, dt: str, rows: Sequence[dict]) -> TableRows:
        return cls(table, dt, len(rows), pack(tuple(rows)))

    def rows(self) -> tuple[dict, ...]:
        return unpack(self.packed_rows)


def pack(value: object) -> bytes:
    """`value` pickled for a trip through Beam's Flattens and GroupByKeys (see TableRows)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes):
    """The value `pack` pickled: only ever Parley's own packed elements, never input data."""
    return pickle.loads(packed)


def partition_for(day: date | None) -> str:
    return day.isoformat() if day is not None else NULL_PARTITION


def dead_letter_row(letter: DeadLetter, seen_at: datetime | None = None) -> TableRows:
    seen_at = seen_at or datetime.now(UTC)
    row = {
        "dead_letter_id": content_id("dead_letter", letter.input_uri, letter.record_key, letter.stage, letter.reason),
        "input_uri": letter.input_uri,
        "record_key": letter.record_key,
        "stage": letter.stage,
        "reason": letter.reason,
        "error": letter.error,
        "raw_excerpt": letter.raw_excerpt,
        "seen_at": seen_at,
        "coder_version": CODER_VERSION,
    }
    return TableRows.pack("dead_letters", partition_for(seen_at.date()), (row,))


def flattened_inputs(pcollection) -> list:
    """The PCollections a chain of Flattens gathers into `pcollection` (itself when no Flatten made it)."""
    producer = getattr(pcollection, "producer", None)
    if producer is None or not isinstance(producer.transform, beam.Flatten):
        return [pcollection]
    inputs = producer.main_inputs.values() if hasattr(producer, "main_inputs") else producer.inputs
    found: list = []
    for item in inputs:
        found += [p for p in flattened_inputs(item) if all(p is not seen for seen in found)]
    return found
