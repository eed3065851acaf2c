"""Scoring Parley's interactions against labelled sentences (pure functions, no Beam, no spaCy).

Each labelled sentence is one article; `predictions` maps a sentence id to the interaction rows Parley wrote
for it. The *main* interaction of a sentence is the one the coder was most confident about, preferring a
substantive event over a bare statement (ties: the earliest in the sentence).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# PLOVER's gold file uses pre-2021 type names.
PLOVER_RENAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
# Old CAMEO country codes in the gold files -> ISO 3166 alpha-3.
COUNTRY_RENAMES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM", "GMY": "DEU", "UK": "GBR", "TRK": "TUR"}
PENTA_LABELS = ("statement", "verbal cooperation", "material cooperation", "verbal conflict", "material conflict")
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_STOP = {"the", "a", "an", "of", "s", "in", "and", "to", "for", "on"}


def load_cameo_to_plover(text: str) -> dict[str, str]:
    """CAMEO code -> PLOVER type from the lines of CAMEO2PLOVER-2021.txt ('0211: AGREE, mode, context # label')."""
    mapping = {}
    for line in text.splitlines():
        match = re.match(r"^\s*(\d{2,4})\s*:\s*([A-Z_]+)", line)
        if match:
            mapping.setdefault(match.group(1), match.group(2))
    return mapping


def plover_type_of(code: str, cameo_to_plover: Mapping[str, str], fallback: Mapping[str, str | None]) -> str | None:
    """The PLOVER type of a CAMEO code: the conversion table first (code, then its root's xx0), else the codebook."""
    for candidate in (code, code[:3], code[:2] + "0"):
        if candidate in cameo_to_plover:
            return cameo_to_plover[candidate]
    return fallback.get(code)


def penta_class(cameo_root: str) -> int:
    """CAMEO root -> the ConfliBERT five classes."""
    root = int(cameo_root)
    if root == 1:
        return 0
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


def main_interaction(rows: Sequence[Mapping]) -> Mapping | None:
    if not rows:
        return None
    return max(
        rows,
        key=lambda r: (r["cameo_code"] != "010", r["confidence"], -r["sentence_index"], r["interaction_id"]),
    )


def actor_key(country: str | None, actor_type: str | None) -> str | None:
    """What an actor is compared on: its country, or IGO / NGO / IMG for organisations and transnational groups."""
    if country:
        return COUNTRY_RENAMES.get(country, country)
    if actor_type and actor_type.upper() in ("IGO", "NGO", "IMG"):
        return actor_type.upper()
    return None


def gold_keys(actors: Iterable[Mapping]) -> set[str]:
    return {COUNTRY_RENAMES.get(a["code"], a["code"]) for a in actors if a.get("code")}


def tokens(text: str | None) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text or "")} - _STOP


def token_f1(predicted: str | None, gold: str) -> float:
    p, g = tokens(predicted), tokens(gold)
    if not p or not g:
        return 0.0
    common = len(p & g)
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def as_dict(self) -> dict:
        return {"value": None if self.value is None else round(self.value, 4), "hits": self.hits, "total": self.total}


def score_plover(
    gold: Sequence[Mapping],
    predictions: Mapping[str, Sequence[Mapping]],
    cameo_to_plover: Mapping[str, str],
    fallback: Mapping[str, str | None],
) -> dict:
    recall, type_accuracy, source_accuracy, target_accuracy = Rate(), Rate(), Rate(), Rate()
    by_confidence: dict[str, Rate] = {"high": Rate(), "low": Rate()}
    confusion: Counter = Counter()
    for item in gold:
        rows = predictions.get(item["id"], ())
        recall.add(bool(rows))
        main = main_interaction(rows)
        if main is None:
            continue
        wanted = PLOVER_RENAMES.get(item["event"], item["event"])
        got = plover_type_of(main["cameo_code"], cameo_to_plover, fallback)
        type_accuracy.add(got == wanted)
        by_confidence["high" if main["confidence"] >= 0.6 else "low"].add(got == wanted)
        confusion[(wanted, got)] += 1
        if item["source"]:
            source_accuracy.add(actor_key(main["source_country"], main.get("source_type")) in gold_keys(item["source"]))
        if item["target"]:
            target_accuracy.add(actor_key(main["target_country"], main.get("target_type")) in gold_keys(item["target"]))
    return {
        "sentences": len(gold),
        "event_recall": recall.as_dict(),
        "plover_type_accuracy": type_accuracy.as_dict(),
        "source_country_accuracy": source_accuracy.as_dict(),
        "target_country_accuracy": target_accuracy.as_dict(),
        "type_accuracy_confidence_ge_0.6": by_confidence["high"].as_dict(),
        "type_accuracy_confidence_lt_0.6": by_confidence["low"].as_dict(),
        "top_confusions": [{"gold": g, "parley": p, "n": n} for (g, p), n in confusion.most_common(12) if g != p],
    }


def macro_f1(gold: Sequence[int], predicted: Sequence[int | None], classes: Iterable[int]) -> float:
    scores = []
    for cls in classes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p == cls)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != cls and p == cls)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p != cls)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def score_pentaclass(gold: Sequence[Mapping], predictions: Mapping[str, Sequence[Mapping]]) -> dict:
    gold_classes: list[int] = []
    predicted: list[int | None] = []
    source_overlap, target_overlap = Rate(), Rate()
    source_f1: list[float] = []
    target_f1: list[float] = []
    by_confidence: dict[str, Rate] = {"high": Rate(), "low": Rate()}
    for item in gold:
        main = main_interaction(predictions.get(item["id"], ()))
        gold_classes.append(int(item["penta_class"]))
        predicted.append(None if main is None else penta_class(main["cameo_root"]))
        if main is None:
            continue
        by_confidence["high" if main["confidence"] >= 0.6 else "low"].add(predicted[-1] == gold_classes[-1])
        for spans, side, overlap, f1s in (
            (item.get("source_actors"), "source_text", source_overlap, source_f1),
            (item.get("target_actors"), "target_text", target_overlap, target_f1),
        ):
            if spans:
                best = max(token_f1(main[side], span) for span in spans)
                overlap.add(best > 0)
                f1s.append(best)
    coded = sum(1 for p in predicted if p is not None)
    accuracy = sum(1 for g, p in zip(gold_classes, predicted, strict=True) if g == p) / len(gold) if gold else 0.0
    return {
        "sentences": len(gold),
        "coded": coded,
        "five_class_accuracy": round(accuracy, 4),
        "five_class_accuracy_on_coded": round(
            sum(1 for g, p in zip(gold_classes, predicted, strict=True) if p is not None and g == p) / coded, 4
        )
        if coded
        else None,
        "macro_f1": round(macro_f1(gold_classes, predicted, range(5)), 4),
        "source_span_overlap": source_overlap.as_dict(),
        "target_span_overlap": target_overlap.as_dict(),
        "source_span_token_f1": round(sum(source_f1) / len(source_f1), 4) if source_f1 else None,
        "target_span_token_f1": round(sum(target_f1) / len(target_f1), 4) if target_f1 else None,
        "accuracy_confidence_ge_0.6": by_confidence["high"].as_dict(),
        "accuracy_confidence_lt_0.6": by_confidence["low"].as_dict(),
        "confusion": [
            [
                sum(1 for g, p in zip(gold_classes, predicted, strict=True) if g == row and p == col)
                for col in (*range(5), None)
            ]
            for row in range(5)
        ],
    }


def rater_classes(item: Mapping) -> list[int | None]:
    """Each rater's class for a sentence: the penta class of their first action, None when not relevant."""
    classes = []
    for annotation in item["annotations"]:
        actions = annotation.get("actions") or []
        if annotation.get("relevant") != "True" or not actions:
            classes.append(None)
        else:
            classes.append(int(str(actions[0]["penta_class"]).split("-")[0]))
    return classes


def score_agreement(items: Sequence[Mapping], predictions: Mapping[str, Sequence[Mapping]]) -> dict:
    """How often two human coders agree on a sentence's class, and how often Parley agrees with a human."""
    human, parley = Rate(), Rate()
    for item in items:
        classes = rater_classes(item)
        main = main_interaction(predictions.get(item["id"], ()))
        mine = None if main is None else penta_class(main["cameo_root"])
        for i in range(len(classes)):
            for j in range(i + 1, len(classes)):
                human.add(classes[i] == classes[j])
        for cls in classes:
            parley.add(cls == mine)
    return {
        "sentences": len(items),
        "human_pairwise_agreement": human.as_dict(),
        "parley_human_agreement": parley.as_dict(),
    }


def density(interactions: int, words: int) -> float:
    return round(1000 * interactions / words, 3) if words else 0.0
