"""Parse raw input records into articles, or into dead letters that say why not.

Two input shapes:
- a plain-text article file: an optional header (title line, "By ..." byline, date line) and then the body,
  whose first paragraph may open with a dateline such as ``MOSCOW (Russia):`` or ``CAIRO (Reuters) -``;
- a JSONL record ``{"id", "title", "text", "date", "source", "url"}`` (extra keys are ignored).
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from dataclasses import replace
from pathlib import PurePosixPath

from parley.dates import looks_like_date_line, parse_publication_date
from parley.ids import content_id
from parley.language import detect_language
from parley.limits import Limits
from parley.records import Article, DeadLetter, RawRecord

EXCERPT_CHARS = 300

# "MOSCOW (Russia):", "WASHINGTON (Reuters) -", "MINGORA, Pakistan (Reuters) -", "LONDON —"
_DATELINE = re.compile(
    r"""(?P<place>[A-Z][A-Z .'’-]{1,40}?(?:,\s*[A-Z][A-Za-z .'’-]{1,30})?)\s*
        (?:\((?P<paren>[^()\n]{1,40})\))?\s*
        (?P<sep>:|[-–—]{1,2})\s+""",
    re.VERBOSE,
)
_AGENCIES = {
    "reuters",
    "ap",
    "afp",
    "upi",
    "xinhua",
    "tass",
    "ria novosti",
    "dpa",
    "ani",
    "pti",
    "cnn",
    "bbc",
}
_BYLINE = re.compile(r"^\s*by\s+\S", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_INT_DIGITS = 4_000


class RecordError(ValueError):
    """A record that cannot become an article; `reason` is the short code written to dead_letters."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def excerpt(data: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """The first characters of a record, with undecodable bytes and control characters escaped."""
    if isinstance(data, bytes):
        data = data[: limit * 4].decode("utf-8", "backslashreplace")
    text = data[:limit]
    return "".join(ch if ch.isprintable() or ch in "\n\t" else ch.encode("unicode_escape").decode() for ch in text)


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters in the first 4 KB: an image, an executable, a database file."""
    if b"\x00" in data:
        return True
    head = data[:4096]
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return bool(head) and controls / len(head) > 0.1


def decode_text(data: bytes, fallback_encoding: str | None = None) -> str:
    """Decode bytes as UTF-8 (or UTF-16/32 when a byte-order mark says so); raise RecordError if not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise RecordError("invalid_encoding", f"starts with a {encoding} byte-order mark but {error}") from None
    if looks_binary(data):
        # NUL bytes do not occur in text: this is a binary file (or UTF-16 without a byte-order mark).
        raise RecordError("binary", "binary data, not text (NUL bytes or control characters)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if fallback_encoding is None:
            raise RecordError(
                "invalid_utf8",
                f"not valid UTF-8 ({error.reason} at byte {error.start}); "
                "pass --fallback-encoding (e.g. cp1252) to read legacy encodings",
            ) from None
        return data.decode(fallback_encoding, errors="replace")


def without_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (from JSON escapes like "\\ud800") replaced by U+FFFD, one character for one, so
    offsets into the text still hold and the text can be written as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def _parse_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


def loads_json(data: bytes | str):
    """json.loads, except that an integer too long for Python's int parser (over 4,300 digits) becomes a float
    (inf) instead of raising a ValueError that is not a JSONDecodeError."""
    return json.loads(data, parse_int=_parse_int)


# The same rule for reading a JSON array item by item (raw_decode).
JSON_DECODER = json.JSONDecoder(parse_int=_parse_int)


def normalised_for_id(text: str) -> str:
    """Whitespace- and Unicode-normalised text, so trivially re-wrapped copies get the same article id."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def article_id_for(text: str, source: str | None) -> str:
    return content_id("article", normalised_for_id(text), (source or "").strip().lower())


def split_header(text: str) -> tuple[str | None, str | None, str | None, int]:
    """Find title, byline and date line at the top of a plain-text article.

    Returns (title, byline, date_line, body_start) where text[body_start:] is the body. Lines are only
    taken as header when they look like one, so a file that is just paragraphs keeps all of them.
    """
    lines = text.splitlines(keepends=True)
    position = 0
    index = 0
    title = byline = date_line = None

    def skip_blank() -> None:
        nonlocal position, index
        while index < len(lines) and not lines[index].strip():
            position += len(lines[index])
            index += 1

    skip_blank()
    if index < len(lines):
        first = lines[index].strip()
        next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
        following_is_header = not next_line or _BYLINE.match(next_line) is not None or looks_like_date_line(next_line)
        if len(first) <= 200 and not first.endswith((".", ":")) and following_is_header and index + 1 < len(lines):
            title = first
            position += len(lines[index])
            index += 1
    for _ in range(3):
        skip_blank()
        if index >= len(lines):
            break
        candidate = lines[index].strip()
        if byline is None and _BYLINE.match(candidate) and len(candidate) <= 100:
            byline = re.sub(r"^\s*by\s+", "", candidate, flags=re.IGNORECASE).strip()
        elif date_line is None and looks_like_date_line(candidate) and len(candidate.split()) <= 8:
            date_line = candidate
        else:
            break
        position += len(lines[index])
        index += 1
    skip_blank()
    if title is not None and position >= len(text):
        # A one-line file is a body, not a title.
        return None, None, None, 0
    return title, byline, date_line, position


def find_dateline(text: str, start: int) -> tuple[str | None, int]:
    """A dateline at text[start:] ("MOSCOW (Russia): ..."): (place, offset where the story begins)."""
    match = _DATELINE.match(text, start)
    if match is None:
        return None, start
    place = match.group("place").strip(" ,")
    if place.lower() in _AGENCIES or len(place) < 3 or not any(ch.isalpha() for ch in place):
        return None, start
    # A dateline is a capitalised place; "THE" or a shouted first sentence is not.
    head = place.split(",")[0]
    if head != head.upper() and match.group("sep") != ":":
        return None, start
    pretty = ", ".join(part.strip().title() if part.strip().isupper() else part.strip() for part in place.split(","))
    paren = match.group("paren")
    if paren and paren.strip().lower() not in _AGENCIES and "," not in place:
        pretty = f"{pretty}, {paren.strip()}"
    return pretty, match.end()


def _optional_string(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return without_surrogates(value).strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError("bad_field", f"field {key!r} should be a string, got {type(value).__name__}")


def _byline(authors) -> str | None:
    """JSONL `authors`: a string, or a list of names (as scrapers write them)."""
    if isinstance(authors, str):
        return without_surrogates(authors).strip() or None
    if isinstance(authors, list) and authors and all(isinstance(name, str) for name in authors):
        return without_surrogates(", ".join(name.strip() for name in authors if name.strip())) or None
    return None


def _publication_date(value: str | None):
    """The publication date, or None when it is not a usable date (including one out of datetime's range)."""
    try:
        return parse_publication_date(value)
    except (ValueError, OverflowError, TypeError):
        return None


def _require_words(text: str) -> None:
    if not any(ch.isalnum() for ch in text):
        raise RecordError("empty", "the text has no letters or digits (only punctuation, symbols or spaces)")


def parse_text_record(raw: RawRecord, limits: Limits, fallback_encoding: str | None = None) -> Article:
    text = decode_text(raw.data, fallback_encoding)
    if not text.strip():
        raise RecordError("empty", "the file holds no text")
    _require_words(text)
    title, byline, date_line, body_start = split_header(text)
    return _finish(
        raw,
        text=text,
        body_start=body_start,
        doc_id=raw.doc_id,
        title=title,
        byline=byline,
        published_at=_publication_date(date_line),
        source=None,
        url=None,
        dateline=None,
        limits=limits,
    )


def parse_json_record(raw: RawRecord, limits: Limits, fallback_encoding: str | None = None) -> Article:
    line = decode_text(raw.data, fallback_encoding)
    if not line.strip():
        raise RecordError("empty", "blank line")
    try:
        record = loads_json(line)
    except json.JSONDecodeError as error:
        raise RecordError("malformed_json", f"not JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise RecordError("malformed_json", "JSON nested too deeply") from None
    except ValueError as error:
        raise RecordError("malformed_json", f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise RecordError("wrong_shape", f"a JSONL record must be an object, got {type(record).__name__}")
    text = record.get("text")
    if text is None:
        raise RecordError("no_text", "the record has no 'text' (missing or null)")
    if not isinstance(text, str):
        raise RecordError("bad_field", f"field 'text' should be a string, got {type(text).__name__}")
    if not text.strip():
        raise RecordError("empty", "the record's text is empty")
    text = without_surrogates(text)
    _require_words(text)
    record_id = record.get("id")
    if isinstance(record_id, str | int) and not isinstance(record_id, bool) and str(record_id).strip():
        # Only a column value: ids never become paths (output file names hash the rows they hold).
        doc_id = without_surrogates(str(record_id)).strip()
    else:
        doc_id = f"{raw.doc_id}:{raw.record_key}"
    date_value = _optional_string(record, "date")
    return _finish(
        raw,
        text=text,
        body_start=0,
        doc_id=doc_id,
        title=_optional_string(record, "title"),
        byline=_byline(record.get("authors")),
        published_at=_publication_date(date_value),
        source=_optional_string(record, "source"),
        url=_optional_string(record, "url"),
        dateline=_optional_string(record, "dateline"),
        limits=limits,
    )


def _finish(
    raw: RawRecord,
    *,
    text: str,
    body_start: int,
    doc_id: str,
    title: str | None,
    byline: str | None,
    published_at,
    source: str | None,
    url: str | None,
    dateline: str | None,
    limits: Limits,
) -> Article:
    language = detect_language(text[body_start:])
    if language != "en":
        raise RecordError("language", f"the text is in language '{language}'; Parley codes English news only")
    # Skip leading whitespace so a dateline is found at the start of the story.
    while body_start < len(text) and text[body_start].isspace():
        body_start += 1
    place, story_start = find_dateline(text, body_start)
    if place is None and dateline:
        place = re.sub(r"[\s,–—-]+$", "", re.split(r",\s*[A-Z][a-z]{2}\b", dateline)[0]).strip().title() or None
    return Article(
        article_id=article_id_for(text, source),
        doc_id=doc_id,
        text=text,
        body_start=story_start,
        input_uri=raw.input_uri,
        record_key=raw.record_key,
        title=title,
        source=source,
        url=url,
        byline=byline,
        published_at=published_at,
        dateline_place=place,
        language=language,
    )


def parse_record(raw: RawRecord, limits: Limits, fallback_encoding: str | None = None) -> Article | DeadLetter:
    """Parse one raw record; never raises: problems come back as a DeadLetter with stage 'parse'."""
    if len(raw.data) > limits.max_article_bytes:
        return DeadLetter(
            raw.input_uri,
            raw.record_key,
            "parse",
            "too_large",
            f"{len(raw.data):,} bytes is over the --max-article-bytes limit of {limits.max_article_bytes:,}",
            excerpt(raw.data),
        )
    parser = parse_json_record if raw.kind == "json" else parse_text_record
    try:
        return parser(raw, limits, fallback_encoding)
    except RecordError as error:
        return DeadLetter(raw.input_uri, raw.record_key, "parse", error.reason, str(error), excerpt(raw.data))
    except RecursionError:
        return DeadLetter(
            raw.input_uri, raw.record_key, "parse", "malformed", "input nested too deeply", excerpt(raw.data)
        )
    except Exception as error:
        # A bug in Parley, not bad input: one dead letter that says so (the property tests expect none), never
        # a crashed run that loses every other record.
        return DeadLetter(
            raw.input_uri,
            raw.record_key,
            "parse",
            "internal_error",
            f"{type(error).__name__}: {error}",
            excerpt(raw.data),
        )


def doc_id_for_path(path: str) -> str:
    """The doc_id of a text file: its file name."""
    return PurePosixPath(path.replace("\\", "/")).name


def with_dateline_country(article: Article, country: str | None) -> Article:
    return replace(article, dateline_country=country)
