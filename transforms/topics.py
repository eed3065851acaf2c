"""TagTopics: annotated paragraphs -> topic tags, keyed by article for the join (CodeInteractions writes their
`topics` rows with the article's other rows). Counts `topic_tags`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import METRICS_NAMESPACE, pack

from parley.records import AnnotatedParagraph


class TagTopicsFn(beam.DoFn):
    def __init__(self) -> None:
        self.tags = Metrics.counter(METRICS_NAMESPACE, "topic_tags")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, annotated: AnnotatedParagraph) -> Iterable:
        paragraph = annotated.paragraph
        tags = self.engine.tag_topics(annotated)
        self.tags.inc(len(tags))
        yield paragraph.article_id, pack((paragraph.paragraph_id, tuple(tags)))


class TagTopics(beam.PTransform):
    """AnnotatedParagraph -> (article_id, packed (paragraph_id, tags))."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagTopicsFn())
