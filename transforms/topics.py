"""TagTopics: an article's annotated paragraphs -> topic tags, keyed by article for the join (CodeInteractions
writes their `topics` rows with the article's other rows). Counts `topic_tags`."""

from __future__ import annotations

import apache_beam as beam
from parley.transforms.annotate import TagArticleFn


class TagTopics(beam.PTransform):
    """ArticleAnalyses -> (article_id, packed ((paragraph_id, tags), ...)), one per ArticleAnalyses."""

    def expand(self, annotated):
        return annotated | "Tag" >> beam.ParDo(TagArticleFn("tag_topics", "topic_tags"))
