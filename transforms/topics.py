"""TagTopics: annotated paragraphs -> topic tags, keyed by article for the join, plus the `topics` table
rows. Counts `topic_tags`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import METRICS_NAMESPACE, TableRows, pack, partition_for

from parley.records import AnnotatedParagraph


class TagTopicsFn(beam.DoFn):
    ROWS = "rows"

    def __init__(self) -> None:
        self.tags = Metrics.counter(METRICS_NAMESPACE, "topic_tags")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, annotated: AnnotatedParagraph) -> Iterable:
        paragraph = annotated.paragraph
        tags = self.engine.tag_topics(annotated)
        self.tags.inc(len(tags))
        if tags:
            rows = tuple(self.engine.topic_rows(tags, paragraph.article_id))
            yield beam.pvalue.TaggedOutput(
                self.ROWS, TableRows.pack("topics", partition_for(paragraph.published_date), rows)
            )
        yield paragraph.article_id, pack((paragraph.paragraph_id, tuple(tags)))


class TagTopics(beam.PTransform):
    """AnnotatedParagraph -> {'by_article': (article_id, (paragraph_id, tags)), 'rows': TableRows}."""

    def expand(self, annotated):
        tagged = annotated | "Tag" >> beam.ParDo(TagTopicsFn()).with_outputs(TagTopicsFn.ROWS, main="by_article")
        return {"by_article": tagged.by_article, "rows": tagged[TagTopicsFn.ROWS]}
