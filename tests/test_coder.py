"""Event coding on single sentences and short articles: roles, negation, complements, coreference."""

from __future__ import annotations

from datetime import UTC, date, datetime


def triples(rows) -> set[tuple[str, str | None, str]]:
    return {(r["source_code"], r["target_code"], r["cameo_code"]) for r in rows}


def test_subject_verb_object(code_paragraphs):
    rows = code_paragraphs(["Israel condemned Iran on Monday."])
    assert triples(rows) == {("ISR", "IRN", "111")}
    assert rows[0]["event_date"] == date(2020, 11, 16) and rows[0]["event_date_source"] == "relative"
    assert rows[0]["quad_class"] == 3 and rows[0]["plover_type"] == "ACCUSE"


def test_negated_event_is_not_coded(code_paragraphs):
    assert code_paragraphs(["The Israeli prime minister did not meet the Russian president."]) == []


def test_refusal_is_a_rejection_and_plans_are_intent(code_paragraphs):
    assert ("IRNGOV", "USAGOV", "125") in triples(
        code_paragraphs(["The Iranian government refused to meet the American government."])
    )
    planned = triples(code_paragraphs(["The French president plans to visit Germany next week."]))
    assert any(code.startswith("03") for _s, _t, code in planned)


def test_passive_voice_swaps_roles(code_paragraphs):
    assert ("RUS", "UKR", "163") in triples(code_paragraphs(["Sanctions were imposed on Ukraine by Russia."])) or (
        ("RUS", "UKR", "163") in triples(code_paragraphs(["Ukraine was sanctioned by Russia."]))
    )


def test_compound_subject_of_talks_is_coded_both_ways(code_paragraphs):
    rows = code_paragraphs(["Egypt and Jordan held talks on Sunday."])
    assert {("EGY", "JOR", "040"), ("JOR", "EGY", "040")} <= triples(rows)
    assert all(r["is_symmetric"] for r in rows)


def test_meeting_in_one_partys_country_is_a_visit(code_paragraphs):
    found = triples(code_paragraphs(["Japanese and South Korean officials held talks in Seoul on Tuesday."]))
    assert ("JPNGOV", "KORGOV", "042") in found and ("KORGOV", "JPNGOV", "043") in found


def test_statement_is_only_a_fallback(code_paragraphs):
    said_only = triples(code_paragraphs(["The Chinese foreign ministry said the weather was fine."]))
    assert said_only == {("CHNGOV", None, "010")}
    better = triples(code_paragraphs(["The Chinese foreign ministry said it condemned Japan."]))
    assert ("CHNGOV", "JPN", "111") in better and all(code != "010" for _s, _t, code in better)


def test_coreference_two_leaders_and_counterpart(code_paragraphs):
    rows = code_paragraphs(
        [
            "Russian president Vladimir Putin spoke by telephone with French president Emmanuel Macron on Monday.",
            "The two leaders discussed the situation in Syria.",
            "Putin informed his counterpart about the talks.",
        ]
    )
    second = {(r["source_code"], r["target_code"]) for r in rows if r["paragraph_id"] == "p1"}
    assert {("RUSGOV", "FRAGOV"), ("FRAGOV", "RUSGOV")} <= second
    # The follow-up sentence inherits the call's date from the discourse.
    assert all(r["event_date"] == date(2020, 11, 16) for r in rows if r["paragraph_id"] == "p1")


def test_unnamed_domestic_actors_take_the_country_of_the_place(code_paragraphs):
    found = triples(code_paragraphs(["Kenyan police arrested dozens of protesters in Nairobi on Friday."]))
    assert ("KENCOP", "KENCVL", "173") in found


def test_confidence_is_lower_for_indirect_evidence(code_paragraphs):
    direct = code_paragraphs(["Israel condemned Iran."])[0]["confidence"]
    indirect = min(
        r["confidence"] for r in code_paragraphs(["Officials said they condemned the move."]) or [{"confidence": 0}]
    )
    assert direct > indirect


def test_former_leader_is_coded_elite(code_paragraphs):
    rows = code_paragraphs(["Tony Blair criticised Iran."], datetime(2016, 3, 1, tzinfo=UTC))
    assert triples(rows) == {("GBRELI", "IRN", "111")}
