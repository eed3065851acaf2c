"""The records that flow between pipeline stages.

They are small frozen dataclasses of plain values (no spaCy objects), so they pickle cheaply between Beam
workers. Table rows are plain dicts shaped by the Avro schemas in `schemas/`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from datetime import date, datetime


def pickled_as_tuple(cls):
    """Pickle a frozen, slotted dataclass as (class, field values).

    The __getstate__/__setstate__ that dataclasses generate for such classes walk `fields()` in Python for every
    object; records cross a Beam stage boundary as pickles, and this halves the time to pickle an actor mention.
    """
    values = operator.attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class RawRecord:
    """One input record as read: a whole text file, or one line of a JSONL file."""

    input_uri: str
    record_key: str
    kind: str  # "text" | "json"
    data: bytes
    doc_id: str  # the file name for text files; the JSONL id is read from the record later


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An input record (or a paragraph) that could not be processed, with the stage and reason."""

    input_uri: str
    record_key: str
    stage: str
    reason: str
    error: str
    raw_excerpt: str | None = None


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    doc_id: str
    text: str  # the original text: a JSONL record's `text`, or the whole text file
    body_start: int  # where the story begins in `text` (after a file header and a dateline)
    input_uri: str
    record_key: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    byline: str | None = None
    published_at: datetime | None = None  # timezone-aware, UTC
    dateline_place: str | None = None
    dateline_country: str | None = None
    language: str = "en"

    @property
    def published_date(self) -> date | None:
        return self.published_at.date() if self.published_at else None


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ParagraphEvent:
    """One paragraph of an article, carrying the article context the coder needs."""

    paragraph_id: str
    article_id: str
    doc_id: str
    index: int
    text: str
    char_start: int
    char_end: int
    published_at: datetime | None = None
    dateline_place: str | None = None
    dateline_country: str | None = None

    @property
    def published_date(self) -> date | None:
        return self.published_at.date() if self.published_at else None


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class AnnotatedParagraph:
    """spaCy's analysis of one paragraph as parallel tuples (a pickled Doc is ~100x larger).

    Token i has words[i], starting at character offsets[i] of the paragraph text, with lemma, coarse and
    fine POS, dependency label and the index of its syntactic head (heads[i] == i for sentence roots).
    Sentences start at the token indices in sent_starts; entities are (start, end, label) token spans.
    """

    paragraph: ParagraphEvent
    words: tuple[str, ...]
    offsets: tuple[int, ...]
    lemmas: tuple[str, ...]
    pos: tuple[str, ...]
    tags: tuple[str, ...]
    deps: tuple[str, ...]
    heads: tuple[int, ...]
    sent_starts: tuple[int, ...]
    ents: tuple[tuple[int, int, str], ...]

    def __len__(self) -> int:
        return len(self.words)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor resolved from a noun phrase: tokens [start, end) of the paragraph, head token `head`."""

    paragraph_id: str
    start: int
    end: int
    head: int
    text: str
    char_start: int
    char_end: int
    actor_code: str
    country: str | None
    sector: str | None
    name: str | None
    kind: str  # country | person | organisation | group | agent
    office: str | None = None
    plural: bool = False
    org_type: str | None = None  # IGO | NGO | IMG for organisations and transnational groups


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class TopicTag:
    paragraph_id: str
    topic: str
    subject: str | None
    score: float
    matched_terms: tuple[str, ...] = field(default_factory=tuple)
