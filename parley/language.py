"""Language identification (lingua, offline models in the wheel), so non-English text is never coded as English."""

from __future__ import annotations

from functools import cache

# Texts shorter than this are too short to identify reliably: they are taken as English.
MIN_WORDS_TO_JUDGE = 6
SAMPLE_CHARS = 2_000


@cache
def _detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ('en' when too short or undecidable)."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS_TO_JUDGE:
        return "en"
    from lingua import Language

    detector = _detector()
    if detector.compute_language_confidence(sample, Language.ENGLISH) >= 0.25:
        return "en"
    language = detector.detect_language_of(sample)
    if language is None:
        return "en"
    return language.iso_code_639_1.name.lower()
