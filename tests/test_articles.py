"""Parsing raw records into articles or dead letters (pure functions, no Beam)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from parley.articles import find_dateline, parse_record, split_header
from parley.limits import Limits
from parley.reading import read_records
from parley.records import Article, DeadLetter, RawRecord

from .conftest import BUNDLED_SEED

LIMITS = Limits()


def json_record(payload, key: str = "line 1") -> RawRecord:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return RawRecord("file:///in.jsonl", key, "json", data, "in.jsonl")


def test_seed_article_header_dateline_and_date():
    raw = RawRecord("file:///seed.txt", "seed_article.txt", "text", BUNDLED_SEED.read_bytes(), "seed_article.txt")
    article = parse_record(raw, LIMITS)
    assert isinstance(article, Article)
    assert article.title == "Israel wants Russia’s covid-19 vaccine"
    assert article.byline == "Monitoring Desk"
    assert article.published_at == datetime(2020, 11, 17, tzinfo=UTC)
    assert article.dateline_place == "Moscow, Russia"
    assert article.doc_id == "seed_article.txt"
    # The story starts after the dateline, and the byline is not part of it.
    assert article.text[article.body_start :].startswith("Israeli prime minister (PM) Benjamin Netanyahu")
    assert "Monitoring Desk" not in article.text[article.body_start :]


def test_plain_paragraphs_without_header_keep_every_line():
    text = "The talks ended on Monday.\n\nBoth sides agreed to meet again."
    assert split_header(text) == (None, None, None, 0)


@pytest.mark.parametrize(
    ("line", "place"),
    [
        ("WASHINGTON (Reuters) - The US said", "Washington"),
        ("MINGORA, Pakistan (Reuters) - A bomb", "Mingora, Pakistan"),
        ("LONDON — Britain said", "London"),
        ("The talks were held in Paris.", None),
        ("US: hello", None),
    ],
)
def test_datelines(line, place):
    assert find_dateline(line, 0)[0] == place


def test_jsonl_record_keeps_its_id_and_fields():
    article = parse_record(
        json_record(
            {
                "id": "abc-1",
                "title": "T",
                "text": "Iran and Iraq held talks.",
                "date": "2019-04-15",
                "source": "AP",
                "url": "http://x",
            }
        ),
        LIMITS,
    )
    assert isinstance(article, Article)
    assert (article.doc_id, article.title, article.source, article.url) == ("abc-1", "T", "AP", "http://x")
    assert article.published_at == datetime(2019, 4, 15, tzinfo=UTC)


def test_same_text_and_source_give_the_same_article_id_whatever_the_wrapping():
    first = parse_record(json_record({"id": "1", "text": "Iran and Iraq   held talks.\n", "source": "AP"}), LIMITS)
    second = parse_record(json_record({"id": "2", "text": "Iran and Iraq held\ntalks.", "source": "ap"}), LIMITS)
    other_source = parse_record(json_record({"id": "3", "text": "Iran and Iraq held talks.", "source": "BBC"}), LIMITS)
    assert first.article_id == second.article_id
    assert first.article_id != other_source.article_id


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "malformed_json"),
        (b"[1, 2, 3]", "wrong_shape"),
        ({"id": "x", "text": None}, "no_text"),
        ({"id": "x"}, "no_text"),
        ({"id": "x", "text": 42}, "bad_field"),
        ({"id": "x", "text": "   "}, "empty"),
        ({"id": "x", "text": "Iran held talks.", "title": {"a": 1}}, "bad_field"),
        (b'{"id": "x", "text": "caf\xe9 talks"}', "invalid_utf8"),
    ],
)
def test_bad_json_records_become_dead_letters_with_a_reason(payload, reason):
    result = parse_record(json_record(payload), LIMITS)
    assert isinstance(result, DeadLetter)
    assert (result.stage, result.reason) == ("parse", reason)
    assert result.error


def test_invalid_utf8_text_file_is_dead_lettered_unless_a_fallback_encoding_is_given():
    raw = RawRecord("file:///a.txt", "a.txt", "text", "Les présidents ont discuté à Paris.".encode("latin-1"), "a.txt")
    result = parse_record(raw, LIMITS)
    assert isinstance(result, DeadLetter) and result.reason == "invalid_utf8"
    # French text decodes with the fallback, then is refused for its language, not for its bytes.
    decoded = parse_record(raw, LIMITS, fallback_encoding="cp1252")
    assert isinstance(decoded, DeadLetter) and decoded.reason == "language"


def test_utf16_with_bom_is_read():
    text = "Egypt and Israel held talks in Cairo on Monday about the border crossing."
    raw = RawRecord("file:///a.txt", "a.txt", "text", text.encode("utf-16"), "a.txt")
    article = parse_record(raw, LIMITS)
    assert isinstance(article, Article) and article.text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encoded_jsonl_file_is_read_line_by_line(tmp_path, encoding):
    lines = [
        {"id": "a", "title": "Talks", "text": "Egypt and Israel held talks in Cairo on Monday.", "date": "2020-01-01"},
        {"id": "b", "title": "Visit", "text": "The Émir of Qatar visited Paris on Tuesday.", "date": "2020-01-02"},
    ]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\r\n" for line in lines)
    path = tmp_path / "wide.jsonl"
    # Python's utf-16/utf-32 codecs write a byte-order mark; utf-16-be does not, so add one as Windows tools do.
    path.write_bytes(("\ufeff" + body).encode(encoding) if encoding == "utf-16-be" else body.encode(encoding))
    records = list(read_records(str(path), LIMITS))
    assert [type(r) for r in records] == [RawRecord, RawRecord]
    parsed = [parse_record(r, LIMITS) for r in records]
    assert [a.doc_id for a in parsed] == ["a", "b"]
    assert parsed[1].text == lines[1]["text"]


def test_oversized_record_is_dead_lettered():
    raw = RawRecord("file:///a.txt", "a.txt", "text", b"word " * 1000, "a.txt")
    result = parse_record(raw, Limits(max_article_bytes=100))
    assert isinstance(result, DeadLetter) and result.reason == "too_large"


def test_non_english_text_is_dead_lettered_as_language():
    text = "El presidente de Francia se reunió con su homólogo ruso en Moscú el lunes para hablar de la guerra."
    result = parse_record(json_record({"id": "es", "text": text}), LIMITS)
    assert isinstance(result, DeadLetter) and result.reason == "language"
