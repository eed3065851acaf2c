"""ParseArticles and DeduplicateArticles.

ParseArticles: RawRecord -> Article, or a DeadLetter (stage 'parse': empty, invalid_utf8, invalid_encoding,
binary, malformed_json, wrong_shape, no_text, bad_field, too_large, language; internal_error would be a Parley
bug, recorded instead of crashing the run). Counts `articles_parsed`.

DeduplicateArticles: the same article (same content-hash id) read twice is kept once; every other copy
becomes a DeadLetter (stage 'dedupe', reason 'duplicate') naming the copy that was kept, so the run still
accounts for each record it read. The kept copy is the first by (input_uri, record_key): deterministic.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import DEAD_LETTERS, METRICS_NAMESPACE

from parley.articles import parse_record
from parley.limits import Limits
from parley.records import Article, DeadLetter, RawRecord


class ParseArticleFn(beam.DoFn):
    def __init__(self, limits: Limits, fallback_encoding: str | None) -> None:
        self.limits = limits
        self.fallback_encoding = fallback_encoding
        self.parsed = Metrics.counter(METRICS_NAMESPACE, "articles_parsed")

    def process(self, raw: RawRecord) -> Iterable:
        result = parse_record(raw, self.limits, self.fallback_encoding)
        if isinstance(result, DeadLetter):
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS, result)
        else:
            self.parsed.inc()
            yield result


class ParseArticles(beam.PTransform):
    def __init__(self, limits: Limits, fallback_encoding: str | None = None) -> None:
        super().__init__()
        if fallback_encoding is not None:
            try:
                codecs.lookup(fallback_encoding)
            except LookupError:
                # Checked when the graph is built: a bad option stops the run before any record is read.
                raise ValueError(f"--fallback-encoding {fallback_encoding!r} is not a known encoding") from None
        self.limits = limits
        self.fallback_encoding = fallback_encoding

    def expand(self, records):
        parsed = records | "Parse" >> beam.ParDo(ParseArticleFn(self.limits, self.fallback_encoding)).with_outputs(
            DEAD_LETTERS, main="articles"
        )
        return {"articles": parsed.articles, DEAD_LETTERS: parsed[DEAD_LETTERS]}


def choose_copy(copies: list[Article]) -> tuple[Article, list[DeadLetter]]:
    """The copy to keep and a dead letter for each other copy."""
    ordered = sorted(copies, key=lambda a: (a.input_uri, a.record_key))
    kept = ordered[0]
    letters = [
        DeadLetter(
            copy.input_uri,
            copy.record_key,
            "dedupe",
            "duplicate",
            f"same content as {kept.input_uri} ({kept.record_key}); article {kept.article_id} kept once",
        )
        for copy in ordered[1:]
    ]
    return kept, letters


class _KeepOneFn(beam.DoFn):
    def __init__(self) -> None:
        self.duplicates = Metrics.counter(METRICS_NAMESPACE, "duplicates")

    def process(self, element: tuple[str, Iterable[Article]]) -> Iterable:
        _article_id, copies = element
        kept, letters = choose_copy(list(copies))
        yield kept
        for letter in letters:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS, letter)


class DeduplicateArticles(beam.PTransform):
    def expand(self, articles):
        kept = (
            articles
            | "KeyByArticleId" >> beam.Map(lambda a: (a.article_id, a))
            | "GroupCopies" >> beam.GroupByKey()
            | "KeepOne" >> beam.ParDo(_KeepOneFn()).with_outputs(DEAD_LETTERS, main="articles")
        )
        return {"articles": kept.articles, DEAD_LETTERS: kept[DEAD_LETTERS]}
