"""TagTopics: an article's annotated paragraphs -> topic tags, keyed by article for the join (CodeInteractions
writes their `topics` rows with the article's other rows). Counts `topic_tags`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.annotate import ArticleAnalyses
from parley.transforms.common import METRICS_NAMESPACE, pack


class TagTopicsFn(beam.DoFn):
    def __init__(self) -> None:
        self.tags = Metrics.counter(METRICS_NAMESPACE, "topic_tags")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, analyses: ArticleAnalyses) -> Iterable:
        found = tuple((a.paragraph.paragraph_id, tuple(self.engine.tag_topics(a))) for a in analyses.paragraphs)
        self.tags.inc(sum(len(tags) for _paragraph_id, tags in found))
        yield analyses.article_id, pack(found)


class TagTopics(beam.PTransform):
    """ArticleAnalyses -> (article_id, packed ((paragraph_id, tags), ...)), one per ArticleAnalyses."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagTopicsFn())
