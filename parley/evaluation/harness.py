"""The evaluation harness: run the real batch pipeline over the labelled sets in ../shared/eval and score it.

Every labelled sentence becomes a one-paragraph JSONL article (its id kept as doc_id); the false-positive
control adds the first N articles of the domestic and international AllSides corpora. One `parley batch` run
(the same transforms, the same DirectRunner) codes everything; the scorer reads the `interactions` table back.
"""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from parley.articles import article_id_for
from parley.codebooks import load_codebooks
from parley.evaluation import scoring

PLOVER_GOLD = Path("eval/plover/PLOVER_GSR_CAMEO.gold.jsonl")
CAMEO2PLOVER = Path("eval/plover/CAMEO2PLOVER-2021.txt")
PENTACLASS = Path("eval/conflibert/pentaclass_train.jsonl")
AGREEMENT = Path("eval/conflibert/coders_agreement.jsonl")
DOMESTIC = Path("corpora/allsides_domestic_sample2000.jsonl.gz")
INTERNATIONAL = Path("corpora/allsides_intl_2012_2020.jsonl.gz")
# The PLOVER gold file sets every date to 2000-01-01 (its readme); the sentences are from that era.
PLOVER_DATE = "2000-01-01"
TARGETS = {
    "event_recall": 0.85,
    "plover_type_accuracy": 0.75,
    "source_country_accuracy": 0.85,
    "target_country_accuracy": 0.75,
    "five_class_accuracy": 0.70,
}


class MissingEvalData(FileNotFoundError):
    pass


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _head_jsonl(path: Path, n: int) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, n)]


def _write_jsonl(path: Path, records: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _require(shared: Path, relative: Path) -> Path:
    path = shared / relative
    if not path.exists():
        raise MissingEvalData(f"{path} is missing: the evaluation reads ../shared/eval and ../shared/corpora")
    return path


def run_pipeline(inputs: list[Path], output: Path, extra: list[str]) -> None:
    from parley.pipelines.batch import run

    argv = [arg for path in inputs for arg in ("--input", str(path))] + ["--output", str(output), *extra]
    run(argv)


def read_interactions(output: Path) -> dict[str, list[dict]]:
    import pyarrow.dataset as ds

    folder = output / "parquet" / "interactions"
    by_article: dict[str, list[dict]] = defaultdict(list)
    if folder.exists():
        for row in ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist():
            by_article[row["article_id"]].append(row)
    return by_article


def evaluate(
    shared: Path, workdir: Path | None = None, fp_articles: int = 300, extra_args: list[str] | None = None
) -> dict:
    """Run the pipeline over every evaluation set and return the report (also what `parley eval` prints)."""
    plover = _read_jsonl(_require(shared, PLOVER_GOLD))
    cameo_to_plover = scoring.load_cameo_to_plover(_require(shared, CAMEO2PLOVER).read_text(encoding="utf-8"))
    penta = _read_jsonl(_require(shared, PENTACLASS))
    agreement = _read_jsonl(_require(shared, AGREEMENT))
    domestic = _head_jsonl(_require(shared, DOMESTIC), fp_articles) if fp_articles else []
    international = _head_jsonl(_require(shared, INTERNATIONAL), fp_articles) if fp_articles else []

    sets: dict[str, list[dict]] = {
        "plover": [{"id": x["id"], "text": x["text"], "date": PLOVER_DATE, "source": "eval:plover"} for x in plover],
        "pentaclass": [{"id": x["id"], "text": x["text"], "date": None, "source": "eval:pentaclass"} for x in penta],
        "agreement": [{"id": x["id"], "text": x["text"], "date": None, "source": "eval:agreement"} for x in agreement],
        "domestic": [{**x, "source": f"eval:domestic:{x.get('source')}"} for x in domestic if x.get("text")],
        "international": [
            {**x, "source": f"eval:international:{x.get('source')}"} for x in international if x.get("text")
        ],
    }
    with tempfile.TemporaryDirectory(prefix="parley-eval-") as scratch:
        root = Path(workdir) if workdir else Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        inputs = []
        for name, records in sets.items():
            if records:
                path = root / f"{name}.jsonl"
                _write_jsonl(path, records)
                inputs.append(path)
        output = root / "out"
        # A kept work folder holds the previous run's tables: start clean so no old row is scored.
        shutil.rmtree(output, ignore_errors=True)
        run_pipeline(inputs, output, extra_args or [])
        by_article = read_interactions(output)

    def predictions(name: str) -> dict[str, list[dict]]:
        return {r["id"]: by_article.get(article_id_for(r["text"], r["source"]), []) for r in sets[name]}

    fallback = {code: event.plover_type for code, event in load_codebooks().events.items()}
    report = {
        "plover": scoring.score_plover(plover, predictions("plover"), cameo_to_plover, fallback),
        "pentaclass": scoring.score_pentaclass(penta, predictions("pentaclass")),
        "coders_agreement": scoring.score_agreement(agreement, predictions("agreement")),
    }
    if fp_articles:
        control = {}
        for name in ("domestic", "international"):
            found = predictions(name)
            words = sum(len(r["text"].split()) for r in sets[name])
            interactions = sum(len(rows) for rows in found.values())
            cross_border = sum(
                1
                for rows in found.values()
                for r in rows
                if r["source_country"] and r["target_country"] and r["source_country"] != r["target_country"]
            )
            control[name] = {
                "articles": len(sets[name]),
                "words": words,
                "interactions": interactions,
                "per_1000_words": scoring.density(interactions, words),
                "cross_border": cross_border,
                "cross_border_per_1000_words": scoring.density(cross_border, words),
            }
        for key in ("per_1000_words", "cross_border_per_1000_words"):
            international_rate = control["international"][key]
            control[f"ratio_{key}"] = (
                round(control["domestic"][key] / international_rate, 3) if international_rate else None
            )
        report["false_positive_control"] = control
    report["targets"] = TARGETS
    return report


def _pct(entry: Mapping | float | None) -> str:
    value = entry.get("value") if isinstance(entry, Mapping) else entry
    if value is None:
        return "   n/a"
    return f"{100 * value:5.1f}%"


def format_report(report: Mapping) -> str:
    plover, penta = report["plover"], report["pentaclass"]
    lines = [
        "Parley evaluation (the batch pipeline over ../shared/eval)",
        "",
        f"{'measure':<52} {'Parley':>8} {'target':>8}   n",
        f"{'PLOVER gold (322 CAMEO-manual sentences)':<52}",
    ]

    def row(label: str, entry, target_key: str | None = None) -> None:
        target = report["targets"].get(target_key) if target_key else None
        count = f"{entry['hits']}/{entry['total']}" if isinstance(entry, Mapping) and "total" in entry else ""
        target_text = f"{100 * target:5.1f}%" if target else ""
        lines.append(f"  {label:<50} {_pct(entry):>8} {target_text:>8}   {count}")

    row("event recall (>= 1 interaction)", plover["event_recall"], "event_recall")
    row("PLOVER type accuracy (main interaction)", plover["plover_type_accuracy"], "plover_type_accuracy")
    row("source country accuracy", plover["source_country_accuracy"], "source_country_accuracy")
    row("target country accuracy", plover["target_country_accuracy"], "target_country_accuracy")
    row("  type accuracy, confidence >= 0.6", plover["type_accuracy_confidence_ge_0.6"])
    row("  type accuracy, confidence < 0.6", plover["type_accuracy_confidence_lt_0.6"])
    lines.append(f"{'ConfliBERT five-class (1,349 news sentences)':<52}")
    row("five-class accuracy (all sentences)", penta["five_class_accuracy"], "five_class_accuracy")
    row("five-class accuracy (coded sentences)", penta["five_class_accuracy_on_coded"])
    row("macro-F1", penta["macro_f1"])
    lines.append(f"  {'sentences coded':<50} {penta['coded']:>8}")
    row("source span overlaps gold", penta["source_span_overlap"])
    row("target span overlaps gold", penta["target_span_overlap"])
    row("  accuracy, confidence >= 0.6", penta["accuracy_confidence_ge_0.6"])
    row("  accuracy, confidence < 0.6", penta["accuracy_confidence_lt_0.6"])
    agreement = report["coders_agreement"]
    lines.append(f"{'Human coders (200 sentences, 4-5 coders each)':<52}")
    row("human pairwise agreement on the class", agreement["human_pairwise_agreement"])
    row("Parley agreement with a human coder", agreement["parley_human_agreement"])
    control = report.get("false_positive_control")
    if control:
        lines.append(f"{'False-positive control (AllSides)':<52}")
        for name in ("domestic", "international"):
            entry = control[name]
            lines.append(
                f"  {name + ' interactions per 1,000 words':<50} {entry['per_1000_words']:>8.2f}"
                f"            {entry['interactions']}/{entry['words']} words, {entry['articles']} articles"
            )
        lines.append(f"  {'  ratio domestic / international':<50} {control['ratio_per_1000_words']:>8}")
        for name in ("domestic", "international"):
            entry = control[name]
            lines.append(
                f"  {name + ' cross-border dyads per 1,000 words':<50} {entry['cross_border_per_1000_words']:>8.2f}"
                f"            {entry['cross_border']} interactions between two countries"
            )
        lines.append(f"  {'  ratio domestic / international':<50} {control['ratio_cross_border_per_1000_words']:>8}")
    if plover["top_confusions"]:
        lines.append(
            "PLOVER confusions (gold -> Parley): "
            + ", ".join(f"{c['gold']}->{c['parley']} {c['n']}" for c in plover["top_confusions"][:8])
        )
    return "\n".join(lines)
