"""The codebooks load, cover what they must, and reject bad entries with a clear message."""

from __future__ import annotations

from datetime import date

import pytest

from parley.codebooks import (
    CodebookError,
    load_agents,
    load_codebooks,
    load_countries,
    load_event_types,
    load_people,
    load_topics,
)
from parley.coding.triggers import build_trigger_book

HEADER = "code\tlabel\tquad_class\tgoldstein\tplover_type\tplover_mode\tplover_context\n"


def test_cameo_codebook_covers_every_root_with_quad_class_goldstein_and_plover():
    events = load_codebooks().events
    assert {f"{r:02d}" for r in range(1, 21)} <= set(events)
    assert events["041"].label == "Discuss by telephone"
    assert events["041"].quad_class == 1 and events["041"].plover_type == "CONSULT"
    assert events["051"].goldstein == pytest.approx(3.4)
    assert events["190"].goldstein == pytest.approx(-10.0) and events["190"].quad_class == 4
    assert events["010"].plover_type is None  # PLOVER has no statement type
    # Every 3-digit code of every root is there.
    assert sum(1 for code in events if len(code) == 3) >= 140


def test_countries_people_organisations_are_loaded():
    books = load_codebooks()
    assert len([c for c in books.countries.values()]) >= 195
    assert {"RUS", "ISR", "FRA", "PSE", "XKX"} <= set(books.countries)
    assert "Kremlin" in [m[0] for m in books.countries["RUS"].metonyms]
    assert {"UN", "EU", "NATO", "OSCE", "OSCEMG", "WHO", "ICC", "ICRC", "MSF", "HRW"} <= set(books.organisations)
    assert len(books.organisations) >= 80
    names = {p.name for p in books.people}
    assert {"Vladimir Putin", "Benjamin Netanyahu", "Emmanuel Macron"} <= names


def test_people_listed_in_two_files_are_merged():
    people = [p for p in load_codebooks().people if p.name.replace(" ", "-").lower().startswith("ban-ki")]
    assert len(people) == 1
    offices = {(r.country or r.org, r.office) for r in people[0].roles}
    assert ("UN", "Secretary-General") in offices and ("KOR", "Foreign Minister") in offices


def test_tenure_picks_the_office_held_on_the_date():
    putin = next(p for p in load_codebooks().people if p.name == "Vladimir Putin")
    assert putin.role_on(date(2010, 1, 1))[0].office == "Prime Minister"
    assert putin.role_on(date(2020, 11, 17))[0].office == "President"
    assert putin.role_on(date(1995, 1, 1))[1] == "future"


def test_bad_event_row_fails_with_file_and_row():
    text = f"{HEADER}01\tStatement\t1\t0.0\t\t\t\n010\tX\t9\t0\t\t\t\n"
    with pytest.raises(CodebookError, match=r"cameo_events.tsv: row 3 \(code '010'\): quad_class must be 1-4"):
        load_event_types(text=text)


def test_missing_roots_are_reported():
    text = f"{HEADER}01\tStatement\t1\t0.0\t\t\t\n"
    with pytest.raises(CodebookError, match="missing root codes"):
        load_event_types(text=text)


def test_bad_country_entry_is_reported():
    with pytest.raises(CodebookError, match=r"entry 0 \(Rus\): iso3"):
        load_countries(text="- {iso3: Rus, name: Russia}\n")
    with pytest.raises(CodebookError, match="ambiguous lists"):
        load_countries(text="- {iso3: RUS, name: Russia, ambiguous: [Moscow]}\n")


def test_bad_person_role_is_reported():
    bad = (
        "- name: Someone\n  aliases: []\n  roles:\n"
        "    - {country: FRA, office: President, start: 2020-05-01, end: 2019-01-01}\n"
    )
    with pytest.raises(CodebookError, match=r"ends .* before it starts"):
        load_people(texts={"x.yaml": bad})
    with pytest.raises(CodebookError, match="exactly one of country / org"):
        load_people(texts={"x.yaml": "- name: A\n  roles:\n    - {office: President, start: 2020-01-01}\n"})


def test_unknown_agent_sector_and_topic_shape_are_reported():
    with pytest.raises(CodebookError, match="unknown sector 'XYZ'"):
        load_agents(text="sectors: {GOV: Government}\nagents:\n  - {term: minister, sector: XYZ}\n")
    with pytest.raises(CodebookError, match="needs terms or subjects"):
        load_topics(text="- {topic: EMPTY}\n")


def test_trigger_with_unknown_code_is_reported():
    events = load_codebooks().events
    with pytest.raises(CodebookError, match=r"verbs\[0\] \(meet\): code '999'"):
        build_trigger_book({"verbs": [{"lemma": "meet", "code": "999"}]}, events)
    with pytest.raises(CodebookError, match="unknown keys"):
        build_trigger_book({"verbs": [{"lemma": "meet", "code": "040", "colour": "red"}]}, events)


def test_yaml_words_on_and_no_stay_words():
    from parley.codebooks import _load_yaml

    data = _load_yaml(
        "triggers.yaml",
        "verbs:\n  - {lemma: call, code: '020', prep: [on], targets: [on, no, off], statement: true}\n",
    )
    book = build_trigger_book(data, load_codebooks().events)
    assert book.verbs["call"][0].targets == ("on", "no", "off")
    assert book.verbs["call"][0].statement is True


def test_triggers_cover_all_twenty_roots():
    triggers = build_trigger_book(load_codebooks().triggers, load_codebooks().events)
    roots = {p.code[:2] for patterns in (*triggers.verbs.values(), *triggers.nouns.values()) for p in patterns}
    assert roots == {f"{r:02d}" for r in range(1, 21)}
