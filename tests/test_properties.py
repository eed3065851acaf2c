"""Property tests (hypothesis) of reading, parsing and splitting: whatever the input, nothing raises, offsets map
back to the exact characters, splitting is deterministic, loses no non-space text and honours the paragraph limit."""

from __future__ import annotations

import gzip
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.articles import parse_record
from parley.limits import Limits
from parley.paragraphs import split_article, split_spans
from parley.reading import read_records
from parley.records import Article, DeadLetter, RawRecord
from parley.storage import mask_credentials

LIMITS = Limits(max_article_bytes=20_000)
# Parsing runs language identification: keep the example count moderate and the deadline off.
PARSE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=300, deadline=None)

# Any code point, lone surrogates included (st.characters() leaves them out by default).
ANY_CHAR = st.one_of(st.characters(), st.characters(categories=["Cs"]))
# Text that looks like news layout: words, sentence ends, quotes, every kind of line break and space.
LAYOUT_CHAR = st.one_of(
    st.sampled_from(list("abc XYZ.!?\"'”’)( \n\n\r\t\x0b\x0c\x1c\u2028\u00a0\u3000")),
    st.characters(),
)
LAYOUT_TEXT = st.text(LAYOUT_CHAR, max_size=600)
# Sentences of real words with any character mixed in: long enough for language identification to run on them.
WORDS = st.sampled_from(["Russia", "and", "France", "held", "talks", "in", "Paris", "on", "Monday", "the", "said"])
NEWSY_TEXT = st.lists(st.one_of(WORDS, WORDS, st.text(ANY_CHAR, min_size=1, max_size=3)), min_size=6, max_size=60).map(
    " ".join
)
DATES = st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2020-13-45", "Nov 31, 2020", ""])


def _is_result(result) -> bool:
    if isinstance(result, Article):
        return 0 <= result.body_start <= len(result.text)
    return isinstance(result, DeadLetter) and result.stage == "parse" and result.reason != "internal_error"


@PARSE
@given(st.binary(max_size=3_000), st.sampled_from(["text", "json"]))
def test_parse_record_never_raises_on_any_bytes(data, kind):
    raw = RawRecord("file:///in", "key", kind, data, "in.txt")
    assert _is_result(parse_record(raw, LIMITS))


@PARSE
@given(st.one_of(NEWSY_TEXT, st.text(ANY_CHAR, max_size=1_000)), st.sampled_from(["text", "json"]))
def test_parse_record_never_raises_on_any_text(text, kind):
    data = text.encode("utf-8", "surrogatepass")
    raw = RawRecord("file:///in", "key", kind, data, "in.txt")
    assert _is_result(parse_record(raw, LIMITS))


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(ANY_CHAR, max_size=200),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "text": st.one_of(NEWSY_TEXT, NEWSY_TEXT, st.text(ANY_CHAR, max_size=600), JSON_VALUES),
        "title": st.one_of(NEWSY_TEXT, JSON_VALUES),
        "date": st.one_of(DATES, JSON_VALUES),
        "source": JSON_VALUES,
        "url": JSON_VALUES,
        "authors": JSON_VALUES,
        "dateline": JSON_VALUES,
    },
)


HUGE_NUMBERS = st.integers(4_301, 6_000).map(lambda digits: '{"id": ' + "9" * digits + ', "text": "Talks ended."}')


@PARSE
@given(HUGE_NUMBERS)
def test_parse_record_never_raises_on_numbers_too_long_for_python(line):
    raw = RawRecord("file:///in.jsonl", "line 1", "json", line.encode(), "in.jsonl")
    assert _is_result(parse_record(raw, LIMITS))


@PARSE
@given(st.one_of(RECORDS, JSON_VALUES))
def test_parse_record_never_raises_on_any_json(value):
    # ensure_ascii writes lone surrogates as "\ud800" escapes, as a real scraper's JSON does.
    raw = RawRecord("file:///in.jsonl", "line 1", "json", json.dumps(value).encode("ascii"), "in.jsonl")
    result = parse_record(raw, LIMITS)
    assert _is_result(result)
    if isinstance(result, Article):
        result.text.encode("utf-8")  # writable as UTF-8 (Avro, Parquet): no lone surrogate left
        assert all(v is None or isinstance(v, str) for v in (result.title, result.source, result.url, result.doc_id))


@FAST
@given(LAYOUT_TEXT, st.integers(0, 50), st.integers(1, 120))
def test_paragraph_offsets_map_back_to_the_original_characters(text, body_start, limit):
    body_start = min(body_start, len(text))
    article = Article("a", "doc", text, body_start, "file:///x", "x")
    events = split_article(article, limit)
    previous_end = body_start
    for index, event in enumerate(events):
        assert event.index == index
        assert text[event.char_start : event.char_end] == event.text
        assert previous_end <= event.char_start < event.char_end <= len(text)
        assert not event.text[:1].isspace() and not event.text[-1:].isspace()
        previous_end = event.char_end


@FAST
@given(LAYOUT_TEXT, st.integers(1, 120))
def test_splitting_is_deterministic_and_loses_no_non_space_text(text, limit):
    spans = split_spans(text, 0, limit)
    assert spans == split_spans(text, 0, limit)
    kept = "".join("".join(text[s:e].split()) for s, e in spans)
    assert kept == "".join(text.split())
    article = Article("a", "doc", text, 0, "file:///x", "x")
    assert [e.paragraph_id for e in split_article(article, limit)] == [
        e.paragraph_id for e in split_article(article, limit)
    ]


@FAST
@given(LAYOUT_TEXT, st.integers(1, 120))
def test_cutting_honours_max_paragraph_chars(text, limit):
    assert all(0 < end - start <= limit for start, end in split_spans(text, 0, limit))


@FAST
@given(st.lists(st.sampled_from(["Talks ended.", "He said “yes.”", "Then (briefly) more!", "x" * 40]), max_size=40))
def test_long_paragraphs_are_cut_after_a_sentence_and_its_closing_quote(sentences):
    text = " ".join(sentences)
    for start, end in split_spans(text, 0, 60):
        piece = text[start:end]
        # A piece never starts with the closing quote or bracket of the previous sentence.
        assert not piece.startswith(("”", ")")), piece


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=2_000),
    st.sampled_from(["a.txt", "a.jsonl", "a.json", "a.txt.gz", "a.jsonl.bz2", "a.zip", "a.tar", "a.tar.gz"]),
)
def test_read_records_never_raises_and_accounts_for_every_file(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as handle:
            handle.write(data)
        out = list(read_records(path, Limits(max_article_bytes=500, max_decompressed_bytes=5_000)))
    assert out, "every file yields at least one record or dead letter"
    assert all(isinstance(r, RawRecord | DeadLetter) for r in out)
    assert all(r.stage == "read" for r in out if isinstance(r, DeadLetter))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3_000), st.integers(0, 400))
def test_read_records_never_raises_on_damaged_gzip(data, cut):
    payload = gzip.compress(data + b"\n" + data)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "x.jsonl.gz")
        with open(path, "wb") as handle:
            handle.write(payload[: len(payload) - cut] if cut else payload)
        out = list(read_records(path, Limits(max_article_bytes=1_000, max_decompressed_bytes=10_000)))
    assert out


URL_PART = st.text(st.sampled_from("abcdefXYZ0123456789-_.~%!$"), min_size=1, max_size=20)


@FAST
@given(URL_PART, URL_PART, st.sampled_from(["https", "gs", "s3", "redis", "ftp"]))
def test_masked_uris_never_show_the_password(user, password, scheme):
    uri = f"{scheme}://{user}:{password}@host.example/path/file.jsonl"
    masked = mask_credentials(uri)
    assert masked == f"{scheme}://{user}:***@host.example/path/file.jsonl"
