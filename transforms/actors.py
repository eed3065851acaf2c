"""TagActors: annotated paragraphs -> actor mentions, keyed by article for the join (CodeInteractions writes
their `actor_mentions` rows with the article's other rows). Counts `actor_mentions`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import METRICS_NAMESPACE, pack

from parley.records import AnnotatedParagraph


class TagActorsFn(beam.DoFn):
    def __init__(self) -> None:
        self.mentions = Metrics.counter(METRICS_NAMESPACE, "actor_mentions")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, annotated: AnnotatedParagraph) -> Iterable:
        paragraph = annotated.paragraph
        mentions = self.engine.tag_actors(annotated)
        self.mentions.inc(len(mentions))
        yield paragraph.article_id, pack((paragraph.paragraph_id, tuple(mentions)))


class TagActors(beam.PTransform):
    """AnnotatedParagraph -> (article_id, packed (paragraph_id, mentions))."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagActorsFn())
