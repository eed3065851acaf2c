"""Publication and event dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from parley.dates import parse_publication_date, resolve_event_date

TUESDAY = date(2020, 11, 17)


@pytest.mark.parametrize(
    ("phrase", "expected", "source"),
    [
        ("Monday", date(2020, 11, 16), "relative"),
        ("on November 9", date(2020, 11, 9), "relative"),
        ("November 11–12", date(2020, 11, 11), "relative"),
        ("yesterday", date(2020, 11, 16), "relative"),
        ("last week", date(2020, 11, 10), "relative"),
        ("Tuesday", date(2020, 11, 17), "relative"),
        ("December 25", date(2019, 12, 25), "relative"),
        ("17 March 2003", date(2003, 3, 17), "explicit"),
        ("2019", None, "unknown"),
        ("last month", None, "unknown"),
        ("two years ago", None, "unknown"),
        ("the 1990s", None, "unknown"),
    ],
)
def test_event_dates_resolve_against_publication(phrase, expected, source):
    assert resolve_event_date(phrase, TUESDAY) == (expected, source)


def test_relative_dates_need_a_publication_date():
    assert resolve_event_date("Monday", None) == (None, "unknown")
    assert resolve_event_date("4 July 2019", None) == (date(2019, 7, 4), "explicit")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tuesday – November 17, 2020", datetime(2020, 11, 17, tzinfo=UTC)),
        ("2016-09-20", datetime(2016, 9, 20, tzinfo=UTC)),
        ("1987-02-26T15:02:20", datetime(1987, 2, 26, 15, 2, 20, tzinfo=UTC)),
        ("2020-01-01T10:00:00+02:00", datetime(2020, 1, 1, 8, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
    ],
)
def test_publication_dates(value, expected):
    assert parse_publication_date(value) == expected
