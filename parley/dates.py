"""Publication dates and event dates.

Publication dates come from JSONL `date` fields or a text file's date line. Event dates come from the date
words spaCy finds in a sentence ("Monday", "on November 9", "last week"), resolved against the publication
date with `dateparser` (cached: the same few phrases recur across a corpus).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# "November 17, 2020", "17 November 2020", "Nov. 17 2020", "2020-11-17"
_FULL_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
# A day range like "November 11–12" or "11-12 November": the event starts on the first day.
_DAY_RANGE = re.compile(r"\b(\d{1,2})\s*[–—-]\s*\d{1,2}\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_publication_date(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from an ISO string or a written date ("Tuesday – November 17, 2020")."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return _as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except OverflowError:
        return None  # "0001-01-01T00:00:00+05:00": no UTC instant exists
    except ValueError:
        pass
    match = _FULL_DATE.search(text)
    if match is None:
        return None
    parsed = _dateparser_parse(match.group(0), None)
    try:
        return _as_utc(parsed) if parsed else None
    except OverflowError:
        return None


def looks_like_date_line(line: str) -> bool:
    """True for a header line that is a date ("Tuesday – November 17, 2020", "17 Nov 2020 10:02 GMT")."""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 80 and _FULL_DATE.search(stripped) is not None


@lru_cache(maxsize=8192)
def _dateparser_parse(text: str, base: date | None) -> datetime | None:
    import dateparser

    settings = {
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
    }
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day, 12, 0)
    try:
        return dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None


def resolve_event_date(phrase: str, published: date | None) -> tuple[date | None, str]:
    """Resolve a DATE phrase from a sentence against the publication date.

    Returns (date, source) with source 'explicit' when the phrase names a full date, 'relative' when it was
    resolved against the publication date, or (None, 'unknown') when it is not a usable day (e.g. "years").
    """
    text = " ".join(phrase.split())
    lowered = text.lower()
    if not lowered or len(lowered) > 60:
        return None, "unknown"
    if _FULL_DATE.search(text):
        full = _FULL_DATE.search(text).group(0)
        parsed = _dateparser_parse(full, None)
        return (parsed.date(), "explicit") if parsed else (None, "unknown")
    if published is None:
        return None, "unknown"
    for index, weekday in enumerate(_WEEKDAYS):
        if re.search(rf"\b{weekday}\b", lowered):
            # News uses a bare weekday for the most recent such day before publication ("Monday" in a
            # Tuesday paper is yesterday); "last Monday" means the same.
            delta = (published.weekday() - index) % 7
            if "next" in lowered:
                return published + timedelta(days=(index - published.weekday()) % 7 or 7), "relative"
            return published - timedelta(days=delta), "relative"
    normalised = _DAY_RANGE.sub(r"\1", text)
    if re.fullmatch(r"(?i)(?:on\s+)?(?:this|that|the)?\s*(?:today|tonight|this morning|this afternoon)", normalised):
        return published, "relative"
    # Only day-level phrases make an event date; "last month", "2019" or "two years ago" do not.
    has_month_day = re.search(
        rf"(?i)\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b", normalised
    )
    if not (has_month_day or re.search(r"(?i)\b(?:yesterday|days? ago|week)\b", normalised)):
        return None, "unknown"
    parsed = _dateparser_parse(normalised, published)
    if parsed is None:
        return None, "unknown"
    resolved = parsed.date()
    # A month and day without a year ("November 9") is the most recent such day not after publication.
    if not _YEAR.search(normalised) and resolved > published:
        try:
            resolved = resolved.replace(year=resolved.year - 1)
        except ValueError:
            return None, "unknown"
    if abs((published - resolved).days) > 3660:
        return None, "unknown"
    return resolved, "relative"
