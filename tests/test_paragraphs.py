"""Splitting articles into paragraph events with exact offsets."""

from __future__ import annotations

from parley.paragraphs import paragraph_spans, split_article, split_spans
from parley.records import Article


def article(text: str, body_start: int = 0) -> Article:
    return Article("a1", "doc", text, body_start, "file:///x", "x")


def test_blank_lines_separate_paragraphs_and_offsets_map_back():
    text = "Title\n\nFirst paragraph\nwrapped line.\n\n  Second one.  \n\n\n"
    events = split_article(article(text, 7), 5000)
    assert [e.text for e in events] == ["First paragraph\nwrapped line.", "Second one."]
    for event in events:
        assert text[event.char_start : event.char_end] == event.text
    assert [e.index for e in events] == [0, 1]


def test_single_newlines_separate_paragraphs_when_there_is_no_blank_line():
    text = "One.\nTwo.\nThree."
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["One.", "Two.", "Three."]


def test_long_paragraphs_are_cut_at_sentence_ends_not_dropped():
    sentence = "Russia and France discussed the situation at length. "
    text = sentence * 20
    spans = split_spans(text, 0, 200)
    assert len(spans) > 1
    assert all(e - s <= 200 for s, e in spans)
    assert all(text[s:e].endswith(".") for s, e in spans)
    # Nothing is lost: the pieces cover every word.
    assert " ".join(text[s:e] for s, e in spans).split() == text.split()


def test_a_single_huge_token_is_hard_cut():
    text = "x" * 1050
    spans = split_spans(text, 0, 100)
    assert sum(e - s for s, e in spans) == 1050
    assert max(e - s for s, e in spans) == 100


def test_paragraph_ids_are_deterministic_and_distinct():
    text = "Same.\n\nSame."
    first = split_article(article(text), 5000)
    second = split_article(article(text), 5000)
    assert [e.paragraph_id for e in first] == [e.paragraph_id for e in second]
    assert first[0].paragraph_id != first[1].paragraph_id
