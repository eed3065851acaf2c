"""The founding article through the real Beam transforms (TestPipeline + assert_that), and the coding floor
of the batch issue: the two calls, the praise of the Moscow talks, Darmanin's visit, and no 'Monitoring Desk'."""

from __future__ import annotations

from datetime import date

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import BeamAssertException, assert_that
from parley.transforms.process import ProcessRecords

from parley.limits import Limits
from parley.nlp.annotate import DEFAULT_MODEL
from parley.records import RawRecord

from .conftest import BUNDLED_SEED

MONDAY = date(2020, 11, 16)


def seed_record() -> RawRecord:
    return RawRecord(str(BUNDLED_SEED), "seed_article.txt", "text", BUNDLED_SEED.read_bytes(), "seed_article.txt")


def find(rows, **conditions):
    def ok(row):
        for key, wanted in conditions.items():
            value = row[key]
            if callable(wanted):
                if not wanted(value):
                    return False
            elif value != wanted:
                return False
        return True

    return [row for row in rows if ok(row)]


def check_seed_interactions(rows: list[dict]) -> None:
    def require(description: str, **conditions) -> None:
        if not find(rows, **conditions):
            raise BeamAssertException(
                f"missing: {description}; coded: "
                f"{[(r['source_code'], r['cameo_code'], r['target_code']) for r in rows]}"
            )

    consult = lambda code: code.startswith("04")  # noqa: E731
    require(
        "Israel (Netanyahu) consults Russia (Putin) by phone on Monday about the COVID-19 vaccine",
        source_code="ISRGOV",
        target_code="RUSGOV",
        cameo_code=consult,
        quad_class=1,
        event_date=MONDAY,
        subjects=lambda s: "COVID-19 vaccine" in s,
    )
    require("Russia and Israel consult both ways", source_code="RUSGOV", target_code="ISRGOV", cameo_code=consult)
    require(
        "Russia (Putin) consults France (Macron) by phone on Monday about Nagorno-Karabakh",
        source_code="RUSGOV",
        target_code="FRAGOV",
        cameo_code="041",
        event_date=MONDAY,
        subjects=lambda s: "Nagorno-Karabakh" in s,
        topics=lambda t: "CONFLICT.ARMED" in t,
    )
    require("praise of the Moscow talks", cameo_code="051", target_code=lambda t: t in ("FRAGOV", "RUSGOV"))
    require(
        "Darmanin (France) meets Russian agencies in Moscow on 11 November",
        source_code="FRAGOV",
        target_code="RUSGOV",
        cameo_code=lambda c: c.startswith("04"),
        event_date=date(2020, 11, 11),
        location_name="Moscow",
        source_name="Gérald Darmanin",
    )
    require("Russia's mediation", source_country="RUS", cameo_code="045")
    require("Russian peacekeeping deployment", source_code="RUSMIL", cameo_code="074")
    require("the 9 November statement (agreement)", cameo_code="057", event_date=date(2020, 11, 9))
    require(
        "intent to coordinate as OSCE Minsk Group co-chairs",
        cameo_code=lambda c: c.startswith("03"),
        source_code="RUSGOV",
    )
    for row in rows:
        for side in ("source_text", "target_text", "source_name", "target_name"):
            if row[side] and "Monitoring" in row[side]:
                raise BeamAssertException(f"'Monitoring Desk' coded as an actor: {row}")
        if row["plover_type"] is None and row["cameo_root"] not in ("01",):
            raise BeamAssertException(f"no PLOVER type for {row['cameo_code']}")


def test_seed_article_through_beam_transforms():
    with BeamTestPipeline() as pipeline:
        rows = (
            pipeline
            | beam.Create([seed_record()])
            | ProcessRecords(Limits(), DEFAULT_MODEL)
            | beam.Filter(lambda element: element.table == "interactions")
            | beam.FlatMap(lambda element: element.rows())
        )
        assert_that(rows, check_seed_interactions_matcher)


def check_seed_interactions_matcher(actual) -> None:
    check_seed_interactions(list(actual))


def test_the_seed_check_rejects_an_incomplete_coding():
    import pytest

    with pytest.raises(BeamAssertException, match="missing: Israel"):
        check_seed_interactions([])
