"""Input limits, shared by the reader, the parser, the splitter and the annotator (each is a pipeline option)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Limits:
    # Bigger than any news article; a record past it is dead-lettered as `too_large`, not parsed.
    max_article_bytes: int = 1_000_000
    # Longer paragraphs are split at sentence ends (then at spaces) rather than dropped.
    max_paragraph_chars: int = 5_000
    # An "article" with more paragraphs than this is a dump, not a story: dead-lettered as `too_many_paragraphs`.
    max_paragraphs: int = 2_000
    # Bytes one compressed input (a .gz, or an archive with all its members) may expand to before reading stops
    # (bounded decompression).
    max_decompressed_bytes: int = 2_000_000_000
    # spaCy refuses longer texts; paragraphs are capped well below it by max_paragraph_chars.
    spacy_max_length: int = 100_000

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                option = "--" + limit.name.replace("_", "-")
                raise ValueError(f"{option} must be a positive whole number, got {value!r}")

    @property
    def paragraph_chars(self) -> int:
        """The length paragraphs are cut to: --max-paragraph-chars, but never more than spaCy accepts, so a
        paragraph is never refused by the annotator whatever the options say."""
        return min(self.max_paragraph_chars, self.spacy_max_length)
