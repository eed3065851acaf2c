"""TagActors: annotated paragraphs -> actor mentions, keyed by article for the join, plus the
`actor_mentions` table rows. Counts `actor_mentions`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import METRICS_NAMESPACE, TableRows, pack, partition_for

from parley.records import AnnotatedParagraph


class TagActorsFn(beam.DoFn):
    ROWS = "rows"

    def __init__(self) -> None:
        self.mentions = Metrics.counter(METRICS_NAMESPACE, "actor_mentions")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, annotated: AnnotatedParagraph) -> Iterable:
        paragraph = annotated.paragraph
        mentions = self.engine.tag_actors(annotated)
        self.mentions.inc(len(mentions))
        if mentions:
            rows = tuple(self.engine.mention_rows(mentions, paragraph.article_id))
            yield beam.pvalue.TaggedOutput(
                self.ROWS, TableRows.pack("actor_mentions", partition_for(paragraph.published_date), rows)
            )
        yield paragraph.article_id, pack((paragraph.paragraph_id, tuple(mentions)))


class TagActors(beam.PTransform):
    """AnnotatedParagraph -> {'by_article': (article_id, (paragraph_id, mentions)), 'rows': TableRows}."""

    def expand(self, annotated):
        tagged = annotated | "Tag" >> beam.ParDo(TagActorsFn()).with_outputs(TagActorsFn.ROWS, main="by_article")
        return {"by_article": tagged.by_article, "rows": tagged[TagActorsFn.ROWS]}
