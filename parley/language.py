"""Language identification (lingua, offline models in the wheel), so non-English text is never coded as English.

An article whose start reads as English is English. Otherwise it is judged by its passages (paragraphs, or
~600-character pieces of a long paragraph) from up to three places in the text (start, middle, end): it is
English when English passages hold at least half of the judged letters. So an English article quoting a French
sentence stays English, and a Spanish article with an English quote is still Spanish. Passages too short to
identify are not judged; a text with none is taken as English.
"""

from __future__ import annotations

import re
from functools import cache

# Passages with fewer words than this are too short to identify reliably...
MIN_WORDS_TO_JUDGE = 6
# ...unless they are in a script written without spaces (Chinese, Japanese, Thai): then letters count.
MIN_LETTERS_TO_JUDGE = 20
SAMPLE_CHARS = 2_000
PASSAGE_CHARS = 600
ENGLISH_SHARE = 0.5

_WORD = re.compile(r"[^\W\d_]{2,}")
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


@cache
def _detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def _samples(text: str) -> list[str]:
    """Up to three windows of SAMPLE_CHARS: the start, the middle and the end of the text."""
    if len(text) <= 3 * SAMPLE_CHARS:
        return [text]
    middle = (len(text) - SAMPLE_CHARS) // 2
    return [text[:SAMPLE_CHARS], text[middle : middle + SAMPLE_CHARS], text[-SAMPLE_CHARS:]]


def passages(text: str) -> list[str]:
    """The passages of the sampled text that are long enough to judge."""
    found = []
    for sample in _samples(text):
        for paragraph in _PARAGRAPH_BREAK.split(sample):
            while paragraph:
                cut = len(paragraph)
                if cut > PASSAGE_CHARS:
                    space = paragraph.rfind(" ", PASSAGE_CHARS // 2, PASSAGE_CHARS)
                    cut = space if space > 0 else PASSAGE_CHARS
                piece, paragraph = paragraph[:cut], paragraph[cut:].lstrip()
                if _judgeable(piece):
                    found.append(piece)
    if not found and _judgeable(text[:SAMPLE_CHARS]):
        # Only short lines (a list, a table): judge the start of the text as a whole.
        found.append(text[:SAMPLE_CHARS])
    return found


def _judgeable(piece: str) -> bool:
    if len(_WORD.findall(piece)) >= MIN_WORDS_TO_JUDGE:
        return True
    # Scripts without spaces between words: a few long "words" that are really whole sentences.
    return sum(1 for ch in piece if ch.isalpha()) >= MIN_LETTERS_TO_JUDGE and not piece.isascii()


def _passage_language(detector, passage: str) -> str | None:
    from lingua import Language

    if detector.compute_language_confidence(passage, Language.ENGLISH) >= 0.25:
        return "en"
    language = detector.detect_language_of(passage)
    return None if language is None else language.iso_code_639_1.name.lower()


# Very common English words that are not words of the other languages Parley meets ("is", "was", "in", "a"
# are Dutch, German or Romance words too). In English news they are a quarter of all words.
_ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "that",
        "for",
        "with",
        "said",
        "by",
        "it",
        "from",
        "he",
        "his",
        "have",
        "has",
        "were",
        "are",
        "this",
        "which",
        "they",
        "been",
        "be",
        "not",
        "but",
        "who",
        "their",
        "after",
        "would",
        "will",
    ]
)
FAST_MIN_WORDS = 40
FAST_ENGLISH_SHARE = 0.15


def _clearly_english(sample: str) -> bool:
    """A cheap first test that settles the common case without the language model (~10 ms per article)."""
    words = _WORD.findall(sample.lower())
    if len(words) < FAST_MIN_WORDS:
        return False
    return sum(1 for word in words if word in _ENGLISH_FUNCTION_WORDS) >= FAST_ENGLISH_SHARE * len(words)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ('en' when too short or undecidable)."""
    start = text[:SAMPLE_CHARS]
    if _clearly_english(start):
        return "en"
    detector = _detector()
    if _judgeable(start) and _passage_language(detector, start) == "en":
        return "en"  # the common case, at the cost of one call: the start of the text reads as English
    weights: dict[str, int] = {}
    for passage in passages(text):
        language = _passage_language(detector, passage)
        if language is not None:
            weights[language] = weights.get(language, 0) + sum(1 for ch in passage if ch.isalpha())
    total = sum(weights.values())
    if not total or weights.get("en", 0) >= ENGLISH_SHARE * total:
        return "en"
    return max(sorted(weights), key=lambda language: weights[language])
