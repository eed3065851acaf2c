"""pytest-benchmark for the hot pure functions around spaCy (`make bench`; `make test` runs them once, untimed).

Each is measured on realistic input: the bundled founding article, annotated once per session.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from parley.articles import parse_record
from parley.limits import Limits
from parley.nlp.lexicon import normalise
from parley.paragraphs import split_article
from parley.records import RawRecord
from parley.tables import avro_bytes, parquet_bytes

SEED = Path(__file__).resolve().parents[1] / "samples" / "articles" / "seed_article.txt"


@pytest.fixture(scope="module")
def seed_article():
    raw = RawRecord(str(SEED), SEED.name, "text", SEED.read_bytes(), SEED.name)
    return parse_record(raw, Limits())


@pytest.fixture(scope="module")
def annotated(seed_article):
    from parley.nlp.annotate import annotate, load_pipeline

    return list(annotate(load_pipeline(), split_article(seed_article, 5000)))


@pytest.fixture(scope="module")
def engine():
    from parley.engine import coding_engine

    return coding_engine()


def test_parse_record(benchmark):
    raw = RawRecord(str(SEED), SEED.name, "text", SEED.read_bytes(), SEED.name)
    article = benchmark(parse_record, raw, Limits())
    assert article.published_at == datetime(2020, 11, 17, tzinfo=UTC)


def test_split_article(benchmark, seed_article):
    paragraphs = benchmark(split_article, seed_article, 5000)
    assert len(paragraphs) == 13


def test_normalise(benchmark):
    words = ["Erdoğan", "U.S.", "Kremlin’s", "Netanyahu", "peacekeepers"] * 200
    result = benchmark(lambda: [normalise(w) for w in words])
    assert result[0] == "erdogan"


def test_tag_actors(benchmark, annotated, engine):
    mentions = benchmark(lambda: [engine.tag_actors(a) for a in annotated])
    assert any(m.actor_code == "RUSGOV" for paragraph in mentions for m in paragraph)


def test_tag_topics(benchmark, annotated, engine):
    tags = benchmark(lambda: [engine.tag_topics(a) for a in annotated])
    assert any(t.subject == "Nagorno-Karabakh" for paragraph in tags for t in paragraph)


def test_code_article(benchmark, annotated, engine):
    items = [(a, engine.tag_actors(a), engine.tag_topics(a)) for a in annotated]
    rows = benchmark(engine.code_article, items)
    assert any(r["cameo_code"] == "041" for r in rows)


def test_encode_tables(benchmark, annotated, engine):
    items = [(a, engine.tag_actors(a), engine.tag_topics(a)) for a in annotated]
    rows = engine.code_article(items)

    def encode():
        return avro_bytes("interactions", rows), parquet_bytes("interactions", rows)

    avro, parquet = benchmark(encode)
    assert avro[:4] == b"Obj\x01" and parquet[:4] == b"PAR1"
