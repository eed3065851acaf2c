"""ProcessRecords: the shared middle of every Parley pipeline, raw records in, table rows out.

    RawRecord -> ParseArticles -> DeduplicateArticles -> SplitParagraphs -> Annotate
        -+-> TagActors -+
         +-> TagTopics -+-> CodeInteractions

Batch and stream entry points differ only in how records are read and rows are written; they compose this
transform unchanged. Dead letters of every stage come out as `dead_letters` table rows in the same stream.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.actors import TagActors
from parley.transforms.annotate import Annotate
from parley.transforms.code import CodeInteractions
from parley.transforms.common import DEAD_LETTERS, METRICS_NAMESPACE, dead_letter_row, pack
from parley.transforms.parse import DeduplicateArticles, ParseArticles
from parley.transforms.split import SplitParagraphs
from parley.transforms.topics import TagTopics

from parley.limits import Limits
from parley.records import DeadLetter

# Dead letters of these stages stand for whole input records (the rest are paragraph-level).
RECORD_STAGES = frozenset({"read", "parse", "dedupe", "split"})


class DeadLetterRowsFn(beam.DoFn):
    def __init__(self) -> None:
        self.total = Metrics.counter(METRICS_NAMESPACE, "dead_letters")
        self.records = Metrics.counter(METRICS_NAMESPACE, "dead_letter_records")
        self.by_reason: dict[str, object] = {}

    def process(self, letter: DeadLetter) -> Iterable:
        self.total.inc()
        if letter.stage in RECORD_STAGES:
            self.records.inc()
        counter = self.by_reason.get(letter.reason)
        if counter is None:
            counter = self.by_reason[letter.reason] = Metrics.counter(
                METRICS_NAMESPACE, f"dead_letter_reason_{letter.reason}"
            )
        counter.inc()
        yield dead_letter_row(letter)


class DeadLetterRows(beam.PTransform):
    """DeadLetter -> `dead_letters` TableRows, counting them by reason."""

    def expand(self, letters):
        return letters | "ToRows" >> beam.ParDo(DeadLetterRowsFn())


class ProcessRecords(beam.PTransform):
    """PCollection[RawRecord] -> PCollection[TableRows] for all six tables.

    The input may also be a source's output, {'records': RawRecord, 'dead_letters': DeadLetter}: the source's
    dead letters then become rows with the stages' own. (One Flatten of all rows instead of two: the local
    runner writes out and reads back every row once per Flatten.)
    """

    def __init__(
        self,
        limits: Limits,
        spacy_model: str,
        annotate_batch_size: int = 256,
        fallback_encoding: str | None = None,
        deduplicate: bool = True,
    ) -> None:
        super().__init__()
        self.limits = limits
        self.spacy_model = spacy_model
        self.annotate_batch_size = annotate_batch_size
        self.fallback_encoding = fallback_encoding
        self.deduplicate = deduplicate

    def expand(self, source):
        records, dead = (source["records"], [source[DEAD_LETTERS]]) if isinstance(source, dict) else (source, [])
        parsed = records | "ParseArticles" >> ParseArticles(self.limits, self.fallback_encoding)
        dead.append(parsed[DEAD_LETTERS])
        articles = parsed["articles"]
        if self.deduplicate:
            unique = articles | "DeduplicateArticles" >> DeduplicateArticles()
            articles = unique["articles"]
            dead.append(unique[DEAD_LETTERS])
        split = articles | "SplitParagraphs" >> SplitParagraphs(self.limits)
        annotated = split["paragraphs"] | "Annotate" >> Annotate(
            self.spacy_model, self.limits.spacy_max_length, self.annotate_batch_size
        )
        dead.extend([split[DEAD_LETTERS], annotated[DEAD_LETTERS]])
        paragraphs = annotated["annotated"]
        # Two parallel branches over the same annotations, joined again by article (and paragraph) id.
        actors = paragraphs | "TagActors" >> TagActors()
        topics = paragraphs | "TagTopics" >> TagTopics()
        coded = {
            "annotated": paragraphs | "KeyByArticle" >> beam.Map(lambda part: (part.article_id, pack(part.paragraphs))),
            "actors": actors,
            "topics": topics,
        } | "CodeInteractions" >> CodeInteractions()
        dead_rows = tuple(dead) | "StageDeadLetters" >> beam.Flatten() | "DeadLetterRows" >> DeadLetterRows()
        return (split["article_rows"], coded, dead_rows) | "AllRows" >> beam.Flatten()
