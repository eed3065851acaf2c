"""TagTopics: an article's annotated paragraphs -> topic tags, keyed by article for the join (CodeInteractions
writes their `topics` rows with the article's other rows). Counts `topic_tags`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.annotate import ArticleAnalyses, pack_per_paragraph
from parley.transforms.common import METRICS_NAMESPACE


class TagTopicsFn(beam.DoFn):
    def __init__(self) -> None:
        self.tags = Metrics.counter(METRICS_NAMESPACE, "topic_tags")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, analyses: ArticleAnalyses) -> Iterable:
        found, packed = pack_per_paragraph(analyses, self.engine.tag_topics)
        self.tags.inc(found)
        yield analyses.article_id, packed


class TagTopics(beam.PTransform):
    """ArticleAnalyses -> (article_id, packed ((paragraph_id, tags), ...)), one per ArticleAnalyses."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagTopicsFn())
