"""The evaluation scorer on a tiny hand-made sample with known answers."""

from __future__ import annotations

import pytest

from parley.evaluation import scoring

CAMEO2PLOVER = """# header
04: CONSULT
040: CONSULT, ,  # Consult
111: ACCUSE, disapprove,    # Criticize or denounce
190: ASSAULT, , military # Use conventional military force
"""


def interaction(
    iid: str, code: str, confidence: float, source=("ISR", "GOV"), target=("IRN", None), text=("Israel", "Iran")
):
    return {
        "interaction_id": iid,
        "cameo_code": code,
        "cameo_root": code[:2],
        "confidence": confidence,
        "sentence_index": 0,
        "source_country": source[0],
        "source_type": source[1],
        "target_country": target[0],
        "target_type": target[1],
        "source_text": text[0],
        "target_text": text[1],
    }


def test_plover_scores():
    table = scoring.load_cameo_to_plover(CAMEO2PLOVER)
    assert table == {"04": "CONSULT", "040": "CONSULT", "111": "ACCUSE", "190": "ASSAULT"}
    gold = [
        {"id": "a", "event": "DISAPPROVE", "source": [{"code": "ISR"}], "target": [{"code": "IRN"}]},
        {"id": "b", "event": "FIGHT", "source": [{"code": "JAP"}], "target": [{"code": "IGO"}]},
        {"id": "c", "event": "CONSULT", "source": [{"code": "FRA"}], "target": []},
        {"id": "d", "event": "CONSULT", "source": [{"code": "USA"}], "target": [{"code": "RUS"}]},
    ]
    predictions = {
        # a: right type (DISAPPROVE -> ACCUSE), right actors; the statement does not count as main
        "a": [interaction("a1", "111", 0.5), interaction("a0", "010", 0.9)],
        # b: ASSAULT (FIGHT renamed) with an IGO target and JPN for the old JAP code; the less confident row loses
        "b": [interaction("b1", "190", 0.8, ("JPN", "state"), (None, "igo")), interaction("b2", "040", 0.3)],
        # c: wrong type, wrong source; no gold target so target is not scored
        "c": [interaction("c1", "111", 0.9, ("DEU", None))],
        # d: nothing coded
    }
    report = scoring.score_plover(gold, predictions, table, {"010": None})
    assert report["event_recall"] == {"value": 0.75, "hits": 3, "total": 4}
    assert report["plover_type_accuracy"] == {"value": pytest.approx(0.6667, abs=1e-4), "hits": 2, "total": 3}
    assert report["source_country_accuracy"]["hits"] == 2 and report["source_country_accuracy"]["total"] == 3
    assert report["target_country_accuracy"] == {"value": 1.0, "hits": 2, "total": 2}
    assert report["top_confusions"] == [{"gold": "CONSULT", "parley": "ACCUSE", "n": 1}]


def test_pentaclass_scores_and_span_overlap():
    gold = [
        {"id": "1", "penta_class": 3, "source_actors": ["the Israeli government"], "target_actors": ["Iran"]},
        {"id": "2", "penta_class": 4, "source_actors": ["Russian troops"], "target_actors": None},
        {"id": "3", "penta_class": 0, "source_actors": None, "target_actors": None},
    ]
    predictions = {
        "1": [interaction("x", "111", 0.7, text=("Israeli government", "Tehran"))],
        "2": [interaction("y", "041", 0.4, text=("Moscow", None))],
    }
    report = scoring.score_pentaclass(gold, predictions)
    assert report["coded"] == 2
    assert report["five_class_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["five_class_accuracy_on_coded"] == 0.5
    assert report["source_span_overlap"] == {"value": 0.5, "hits": 1, "total": 2}
    assert report["target_span_overlap"] == {"value": 0.0, "hits": 0, "total": 1}
    # classes 3 correct (F1 1), 4 missed (0), 0 missed (0), 1 predicted wrongly (0), 2 absent (0)
    assert report["macro_f1"] == pytest.approx(0.2)
    assert report["confusion"][3][3] == 1 and report["confusion"][4][1] == 1 and report["confusion"][0][5] == 1


@pytest.mark.parametrize(
    ("root", "cls"), [("01", 0), ("02", 1), ("05", 1), ("06", 2), ("08", 2), ("09", 3), ("13", 3), ("14", 4), ("20", 4)]
)
def test_penta_class_mapping(root, cls):
    assert scoring.penta_class(root) == cls


def test_human_agreement():
    items = [
        {
            "id": "s",
            "annotations": [
                {"relevant": "True", "actions": [{"penta_class": "4-Material Conflict"}]},
                {"relevant": "True", "actions": [{"penta_class": "4-Material Conflict"}]},
                {"relevant": "False", "actions": []},
            ],
        },
    ]
    report = scoring.score_agreement(items, {"s": [interaction("z", "190", 0.9)]})
    assert report["human_pairwise_agreement"] == {"value": pytest.approx(1 / 3, abs=1e-4), "hits": 1, "total": 3}
    assert report["parley_human_agreement"] == {"value": pytest.approx(2 / 3, abs=1e-4), "hits": 2, "total": 3}
