"""Table schemas: the Avro `.avsc` files here are the single source of truth.

Arrow (Parquet) schemas are derived from them, so the two output formats cannot drift apart.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa

TABLES: tuple[str, ...] = (
    "articles",
    "paragraphs",
    "actor_mentions",
    "topics",
    "interactions",
    "dead_letters",
)

# The primary key of each table: rows are sorted by it inside a file and it names the row in tests and joins.
PRIMARY_KEYS: dict[str, str] = {
    "articles": "article_id",
    "paragraphs": "paragraph_id",
    "actor_mentions": "mention_id",
    "topics": "topic_id",
    "interactions": "interaction_id",
    "dead_letters": "dead_letter_id",
}


@cache
def avro_schema(table: str) -> dict[str, Any]:
    """The parsed `.avsc` of a table (plain JSON dict, as fastavro takes it)."""
    if table not in TABLES:
        raise KeyError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
    text = resources.files(__package__).joinpath(f"{table}.avsc").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def parsed_avro_schema(table: str) -> Any:
    import fastavro

    return fastavro.parse_schema(avro_schema(table))


def _arrow_type(avro_type: Any) -> tuple[pa.DataType, bool]:
    """Map an Avro field type to (Arrow type, nullable)."""
    if isinstance(avro_type, list):
        branches = [t for t in avro_type if t != "null"]
        if len(branches) != 1:
            raise ValueError(f"only [null, T] unions are supported, got {avro_type}")
        arrow, _ = _arrow_type(branches[0])
        return arrow, "null" in avro_type
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        base = avro_type["type"]
        if logical == "timestamp-micros" and base == "long":
            return pa.timestamp("us", tz="UTC"), False
        if logical == "date" and base == "int":
            return pa.date32(), False
        if base == "array":
            item, item_nullable = _arrow_type(avro_type["items"])
            return pa.list_(pa.field("element", item, nullable=item_nullable)), False
        if base == "record":
            fields = [pa.field(f["name"], *_arrow_type(f["type"])) for f in avro_type["fields"]]
            return pa.struct(fields), False
        return _arrow_type(base)
    primitive = {
        "string": pa.string(),
        "int": pa.int32(),
        "long": pa.int64(),
        "double": pa.float64(),
        "float": pa.float32(),
        "boolean": pa.bool_(),
        "bytes": pa.binary(),
    }
    if avro_type not in primitive:
        raise ValueError(f"unsupported Avro type {avro_type!r}")
    return primitive[avro_type], False


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema derived from the table's `.avsc`."""
    fields = []
    for field in avro_schema(table)["fields"]:
        arrow, nullable = _arrow_type(field["type"])
        fields.append(pa.field(field["name"], arrow, nullable=nullable))
    return pa.schema(fields)


def field_names(table: str) -> list[str]:
    return [f["name"] for f in avro_schema(table)["fields"]]
