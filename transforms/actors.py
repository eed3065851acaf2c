"""TagActors: an article's annotated paragraphs -> actor mentions, keyed by article for the join
(CodeInteractions writes their `actor_mentions` rows with the article's other rows). Counts `actor_mentions`."""

from __future__ import annotations

import apache_beam as beam
from parley.transforms.annotate import TagArticleFn


class TagActors(beam.PTransform):
    """ArticleAnalyses -> (article_id, packed ((paragraph_id, mentions), ...)), one per ArticleAnalyses."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagArticleFn("tag_actors", "actor_mentions"))
