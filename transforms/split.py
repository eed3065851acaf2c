"""SplitParagraphs: Article -> paragraph events (timestamped with the publication time) and the
`articles` table row. Articles with no paragraph (whitespace only) and dumps with more paragraphs than
--max-paragraphs become dead letters (stage 'split'). Paragraphs are cut to --max-paragraph-chars, and never
longer than --spacy-max-length (Limits.paragraph_chars), so spaCy never refuses one. Counts `articles_written`
and `paragraphs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import TimestampedValue
from parley.transforms.common import DEAD_LETTERS, METRICS_NAMESPACE, TableRows, partition_for

from parley.articles import excerpt
from parley.codebooks import CODER_VERSION
from parley.limits import Limits
from parley.paragraphs import paragraph_events, split_spans
from parley.records import Article, DeadLetter


def article_row(article: Article, n_paragraphs: int) -> dict:
    return {
        "article_id": article.article_id,
        "doc_id": article.doc_id,
        "source": article.source,
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published_at": article.published_at,
        "dateline_place": article.dateline_place,
        "dateline_country": article.dateline_country,
        "language": article.language,
        "n_paragraphs": n_paragraphs,
        "n_chars": len(article.text) - article.body_start,
        "input_uri": article.input_uri,
        "record_key": article.record_key,
        "coder_version": CODER_VERSION,
    }


class SplitParagraphsFn(beam.DoFn):
    ARTICLE_ROWS = "article_rows"

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.articles = Metrics.counter(METRICS_NAMESPACE, "articles_written")
        self.paragraphs = Metrics.counter(METRICS_NAMESPACE, "paragraphs")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.gazetteer = coding_engine().gazetteer

    def process(self, article: Article) -> Iterable:
        if article.dateline_place:
            place = self.gazetteer.lookup(article.dateline_place)
            if place is not None:
                article = replace(article, dateline_country=place.country)
        # Spans first: a dump of 100,000 paragraphs is refused before 100,000 events are built.
        spans = split_spans(article.text, article.body_start, self.limits.paragraph_chars)
        if not spans:
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTERS,
                DeadLetter(
                    article.input_uri,
                    article.record_key,
                    "split",
                    "empty",
                    "no paragraph with text",
                    excerpt(article.text),
                ),
            )
            return
        if len(spans) > self.limits.max_paragraphs:
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTERS,
                DeadLetter(
                    article.input_uri,
                    article.record_key,
                    "split",
                    "too_many_paragraphs",
                    f"{len(spans):,} paragraphs is over the --max-paragraphs limit of {self.limits.max_paragraphs:,}",
                    excerpt(article.text),
                ),
            )
            return
        events = paragraph_events(article, spans)
        self.articles.inc()
        self.paragraphs.inc(len(events))
        yield beam.pvalue.TaggedOutput(
            self.ARTICLE_ROWS,
            TableRows.pack("articles", partition_for(article.published_date), (article_row(article, len(events)),)),
        )
        for event in events:
            if article.published_at is not None:
                yield TimestampedValue(event, article.published_at.timestamp())
            else:
                yield event


class SplitParagraphs(beam.PTransform):
    """Article -> {'paragraphs': ParagraphEvent, 'article_rows': TableRows, 'dead_letters': DeadLetter}."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def expand(self, articles):
        split = articles | "Split" >> beam.ParDo(SplitParagraphsFn(self.limits)).with_outputs(
            SplitParagraphsFn.ARTICLE_ROWS, DEAD_LETTERS, main="paragraphs"
        )
        return {
            "paragraphs": split.paragraphs,
            "article_rows": split[SplitParagraphsFn.ARTICLE_ROWS],
            DEAD_LETTERS: split[DEAD_LETTERS],
        }
