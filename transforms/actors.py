"""TagActors: an article's annotated paragraphs -> actor mentions, keyed by article for the join
(CodeInteractions writes their `actor_mentions` rows with the article's other rows). Counts `actor_mentions`."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.annotate import ArticleAnalyses, pack_per_paragraph
from parley.transforms.common import METRICS_NAMESPACE


class TagActorsFn(beam.DoFn):
    def __init__(self) -> None:
        self.mentions = Metrics.counter(METRICS_NAMESPACE, "actor_mentions")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, analyses: ArticleAnalyses) -> Iterable:
        found, packed = pack_per_paragraph(analyses, self.engine.tag_actors)
        self.mentions.inc(found)
        yield analyses.article_id, packed


class TagActors(beam.PTransform):
    """ArticleAnalyses -> (article_id, packed ((paragraph_id, mentions), ...)), one per ArticleAnalyses."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagActorsFn())
