"""The per-process coding engine: codebooks, phrase indexes, gazetteer and coder, built once and reused.

Every Beam worker process (and the evaluation harness) calls `coding_engine()`; the cache makes the second
call free, so DoFns can call it from `setup()` without paying for it per bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property

from parley.codebooks import Codebooks, load_codebooks
from parley.coding.coder import ArticleCoder, interaction_row
from parley.coding.places import Gazetteer
from parley.coding.triggers import TriggerBook, build_trigger_book
from parley.nlp.actors import mention_row, tag_actors
from parley.nlp.lexicon import PhraseIndex, build_actor_index
from parley.nlp.topics import TopicIndex, tag_topics, topic_row
from parley.records import ActorMention, AnnotatedParagraph, TopicTag


class CodingEngine:
    def __init__(self, books: Codebooks) -> None:
        self.books = books

    @property
    def version(self) -> str:
        return self.books.version

    @cached_property
    def actor_index(self) -> PhraseIndex:
        return build_actor_index(self.books)

    @cached_property
    def topic_index(self) -> TopicIndex:
        return TopicIndex(self.books.topics)

    @cached_property
    def triggers(self) -> TriggerBook:
        return build_trigger_book(self.books.triggers, self.books.events)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.books)

    @cached_property
    def coder(self) -> ArticleCoder:
        return ArticleCoder(self.books, self.triggers, self.gazetteer)

    def tag_actors(self, annotated: AnnotatedParagraph) -> list[ActorMention]:
        return tag_actors(annotated, self.actor_index, self.books)

    def tag_topics(self, annotated: AnnotatedParagraph) -> list[TopicTag]:
        return tag_topics(annotated, self.topic_index)

    def mention_rows(self, mentions: Sequence[ActorMention], article_id: str) -> list[dict]:
        return [mention_row(m, article_id, self.version) for m in mentions]

    def topic_rows(self, tags: Sequence[TopicTag], article_id: str) -> list[dict]:
        return [topic_row(t, article_id, self.version) for t in tags]

    def code_article(
        self, paragraphs: Sequence[tuple[AnnotatedParagraph, Sequence[ActorMention], Sequence[TopicTag]]]
    ) -> list[dict]:
        """Interaction rows for one article's paragraphs (in any order; coded in paragraph order)."""
        ordered = sorted(paragraphs, key=lambda item: item[0].paragraph.index)
        topics_of = {a.paragraph.paragraph_id: t for a, _m, t in ordered}
        rows = []
        seen: set[str] = set()
        for annotated, interaction in self.coder.code_article(ordered):
            row = interaction_row(
                annotated,
                interaction,
                self.books.events,
                topics_of[annotated.paragraph.paragraph_id],
                self.version,
            )
            if row["interaction_id"] not in seen:
                seen.add(row["interaction_id"])
                rows.append(row)
        return rows


@cache
def coding_engine() -> CodingEngine:
    return CodingEngine(load_codebooks())
