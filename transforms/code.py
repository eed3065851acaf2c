"""CodeInteractions: join the parallel branches and code each article.

The annotated paragraphs, their actor mentions and their topics arrive as three PCollections keyed by
article id; one CoGroupByKey brings an article's paragraphs together and matches the three by paragraph id.
The article is the unit because coreference crosses paragraphs ("the two leaders" in paragraph 4 are the
callers of paragraph 1). Emits the article's `paragraphs`, `actor_mentions`, `topics` and `interactions` table
rows; counts `interactions` and `articles_coded`.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.annotate import unpack_per_paragraph
from parley.transforms.common import METRICS_NAMESPACE, TableRows, partition_for, unpack

from parley.records import ActorMention, AnnotatedParagraph, TopicTag


def paragraph_row(
    annotated: AnnotatedParagraph,
    mentions: tuple[ActorMention, ...],
    tags: tuple[TopicTag, ...],
    version: str,
) -> dict:
    paragraph = annotated.paragraph
    actor_codes: list[str] = []
    for mention in mentions:
        if mention.actor_code not in actor_codes:
            actor_codes.append(mention.actor_code)
    return {
        "paragraph_id": paragraph.paragraph_id,
        "article_id": paragraph.article_id,
        "paragraph_index": paragraph.index,
        "text": paragraph.text,
        "char_start": paragraph.char_start,
        "char_end": paragraph.char_end,
        "published_at": paragraph.published_at,
        "n_sentences": len(annotated.sent_starts),
        "topics": sorted({t.topic for t in tags}),
        "actor_codes": actor_codes,
        "coder_version": version,
    }


class CodeArticleFn(beam.DoFn):
    def __init__(self) -> None:
        self.interactions = Metrics.counter(METRICS_NAMESPACE, "interactions")
        self.articles = Metrics.counter(METRICS_NAMESPACE, "articles_coded")

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.engine = coding_engine()

    def process(self, element: tuple[str, dict[str, Iterable]]) -> Iterable:
        _article_id, grouped = element
        # Each value is one inference batch's share of the article, packed (see ArticleAnalyses).
        mentions_of = unpack_per_paragraph(grouped["actors"])
        topics_of = unpack_per_paragraph(grouped["topics"])
        paragraphs = sorted(
            (a for packed in grouped["annotated"] for a in unpack(packed)), key=lambda a: a.paragraph.index
        )
        if not paragraphs:
            return
        joined = [
            (a, mentions_of.get(a.paragraph.paragraph_id, ()), topics_of.get(a.paragraph.paragraph_id, ()))
            for a in paragraphs
        ]
        dt = partition_for(paragraphs[0].paragraph.published_date)
        article_id = paragraphs[0].paragraph.article_id
        yield TableRows.pack("paragraphs", dt, tuple(paragraph_row(a, m, t, self.engine.version) for a, m, t in joined))
        # The branches' rows leave with the article's: one element per article and table, not one per paragraph.
        mention_rows = [row for _a, m, _t in joined if m for row in self.engine.mention_rows(m, article_id)]
        if mention_rows:
            yield TableRows.pack("actor_mentions", dt, mention_rows)
        topic_rows = [row for _a, _m, t in joined if t for row in self.engine.topic_rows(t, article_id)]
        if topic_rows:
            yield TableRows.pack("topics", dt, topic_rows)
        rows = self.engine.code_article(joined)
        self.articles.inc()
        self.interactions.inc(len(rows))
        if rows:
            yield TableRows.pack("interactions", dt, tuple(rows))


class CodeInteractions(beam.PTransform):
    """{'annotated', 'actors', 'topics'} keyed by article id -> TableRows (paragraphs, actor_mentions, topics,
    interactions)."""

    def expand(self, branches):
        return branches | "JoinByArticle" >> beam.CoGroupByKey() | "CodeArticle" >> beam.ParDo(CodeArticleFn())
