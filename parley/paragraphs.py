"""Split an article into paragraph events with exact character offsets into the article text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parley.ids import content_id
from parley.records import Article, ParagraphEvent

# A line break is \n, \r\n or a lone \r (old Mac files); the atomic groups keep "\r\n" one break, not two.
_BLANK_LINE = re.compile(r"(?>\r\n|\r|\n)[ \t\f\v]*(?>\r\n|\r|\n)")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# A sentence end: . ! ? (optionally closed by quotes/brackets) followed by space and a capital-ish start; the
# cut goes after the closing quote, so a quoted sentence keeps its quote mark.
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the non-blank paragraphs of text[start:end].

    Paragraphs are separated by blank lines; a text with no blank line at all (as AllSides writes them)
    is split at single newlines instead.
    """
    end = len(text) if end is None else end
    separator = _BLANK_LINE if _BLANK_LINE.search(text, start, end) else _NEWLINE
    spans = []
    cursor = start
    for match in separator.finditer(text, start, end):
        spans.append(_trimmed(text, cursor, match.start()))
        cursor = match.end()
    spans.append(_trimmed(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _cut_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most `limit` characters: at sentence ends, else spaces, else hard."""
    while end - start > limit:
        window_end = start + limit
        cut = None
        for match in _SENTENCE_END.finditer(text, start, window_end + 2):
            if start < match.end() <= window_end:
                cut = match.end()
        if cut is None:
            space = text.rfind(" ", start + 1, window_end)
            cut = space if space > start else window_end
        piece = _trimmed(text, start, cut)
        if piece[1] > piece[0]:
            yield piece
        start = cut
        while start < end and text[start].isspace():
            start += 1
    piece = _trimmed(text, start, end)
    if piece[1] > piece[0]:
        yield piece


def split_spans(text: str, start: int, max_paragraph_chars: int) -> list[tuple[int, int]]:
    """Paragraph spans of text[start:], with paragraphs longer than the limit cut at sentence ends."""
    if max_paragraph_chars < 1:
        raise ValueError(f"max_paragraph_chars must be at least 1, got {max_paragraph_chars}")
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraph_spans(text, start):
        spans.extend(_cut_long(text, para_start, para_end, max_paragraph_chars))
    return spans


def split_article(article: Article, max_paragraph_chars: int) -> list[ParagraphEvent]:
    """The paragraph events of an article (deterministic; ids hash the article id and the span)."""
    return paragraph_events(article, split_spans(article.text, article.body_start, max_paragraph_chars))


def paragraph_events(article: Article, spans: list[tuple[int, int]]) -> list[ParagraphEvent]:
    """The paragraph events of the given spans of an article's text."""
    events = []
    for index, (start, end) in enumerate(spans):
        events.append(
            ParagraphEvent(
                paragraph_id=content_id("paragraph", article.article_id, start, end),
                article_id=article.article_id,
                doc_id=article.doc_id,
                index=index,
                text=article.text[start:end],
                char_start=start,
                char_end=end,
                published_at=article.published_at,
                dateline_place=article.dateline_place,
                dateline_country=article.dateline_country,
            )
        )
    return events
