"""Batch entry point: files and archives in, the six Parley tables out.

    parley batch --input 'articles/*.jsonl.gz' --output out/ [Beam options]

Runs on any Beam runner: DirectRunner in-process (the default), DirectRunner with
`--direct_num_workers 2 --direct_running_mode multi_processing`, PortableRunner (Flink), Dataflow.
The graph: Inputs -> ReadArticles -> ProcessRecords -> WriteTables.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from parley.pipelines.options import ParleyOptions
from parley.transforms.common import METRICS_NAMESPACE
from parley.transforms.process import ProcessRecords
from parley.transforms.read import ReadArticles
from parley.transforms.write import WriteTables

from parley.progress import Progress
from parley.storage import absolute, clear_table_files, mask_credentials
from parley.tables import table_folders


class UsageError(ValueError):
    """Bad command-line options: reported to the user without a traceback."""


def build_batch_pipeline(pipeline: beam.Pipeline, options: ParleyOptions, progress: Progress | None = None):
    """Add the batch graph to `pipeline`; returns the PCollection of written file groups."""
    limits = options.limits()
    read = pipeline | "Inputs" >> beam.Create(list(options.input)) | "ReadArticles" >> ReadArticles(limits)
    all_rows = read | "ProcessRecords" >> ProcessRecords(
        limits, options.spacy_model, options.annotate_batch_size, options.fallback_encoding
    )
    if progress is not None:  # side branches counting for the live display (parley/progress.py)
        progress.attach(read["records"], all_rows)
    return all_rows | "WriteTables" >> WriteTables(options.output, options.max_rows_per_file)


@dataclass
class RunSummary:
    output: str
    seconds: float
    counters: dict[str, int] = field(default_factory=dict)
    title: str = "Parley batch"

    def count(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def balanced(self) -> bool:
        return self.count("records_read") == self.count("rows_articles") + self.count("dead_letter_records")

    def lines(self) -> list[str]:
        read, articles = self.count("records_read"), self.count("rows_articles")
        dead_records, dead_all = self.count("dead_letter_records"), self.count("rows_dead_letters")
        check = "OK" if self.balanced else "MISMATCH"
        lines = [
            f"{self.title} finished in {self.seconds:.1f} s",
            f"  records read     {read:>9,}",
            f"  articles         {articles:>9,}",
            f"  paragraphs       {self.count('rows_paragraphs'):>9,}",
            f"  actor mentions   {self.count('rows_actor_mentions'):>9,}",
            f"  topics           {self.count('rows_topics'):>9,}",
            f"  interactions     {self.count('rows_interactions'):>9,}",
            f"  dead letters     {dead_all:>9,}  "
            f"({dead_records:,} input records, {dead_all - dead_records:,} paragraphs)",
            f"  accounting       read {read:,} = articles {articles:,} "
            f"+ dead-lettered records {dead_records:,}: {check}",
        ]
        reasons = {
            k.removeprefix("dead_letter_reason_"): v
            for k, v in self.counters.items()
            if k.startswith("dead_letter_reason_")
        }
        if reasons:
            lines.append("  dead-letter reasons: " + ", ".join(f"{k} {v:,}" for k, v in sorted(reasons.items())))
        if self.count("files_replaced"):
            lines.append(f"  replaced         {self.counters['files_replaced']:>9,} table files of earlier runs")
        if "files_skipped" in self.counters:
            lines.append(f"  skipped          {self.counters['files_skipped']:>9,} input files already in the manifest")
        output = mask_credentials(self.output)
        lines.append(f"Tables (Hive-partitioned by dt=YYYY-MM-DD) under {output}:")
        lines.append(f"  Parquet: {output}/parquet/<table>/    Avro: {output}/avro/<table>/")
        lines.append("  tables: articles, paragraphs, actor_mentions, topics, interactions, dead_letters")
        return lines


def collect_counters(result) -> dict[str, int]:
    counters: dict[str, int] = {}
    query = result.metrics().query(MetricsFilter().with_namespace(METRICS_NAMESPACE))
    for metric in query["counters"]:
        value = metric.committed if metric.committed is not None else metric.attempted
        counters[metric.key.metric.name] = counters.get(metric.key.metric.name, 0) + int(value or 0)
    return counters


def parse_options(argv: Sequence[str]) -> ParleyOptions:
    options = PipelineOptions(list(argv)).view_as(ParleyOptions)
    if not options.input:
        raise UsageError("at least one --input is required")
    if not options.output:
        raise UsageError("--output is required")
    options.output = absolute(options.output)
    options.input = [absolute(pattern) for pattern in options.input]
    try:
        options.limits()  # validates every limit (a 0 or negative limit would never finish splitting)
        if options.fallback_encoding:
            "".encode(options.fallback_encoding)
    except (ValueError, LookupError) as error:
        raise UsageError(str(error)) from None
    return options


def run(argv: Sequence[str]) -> RunSummary:
    options = parse_options(argv)
    started = time.monotonic()
    selection = manifest = None
    if options.overwrite and options.since_manifest:
        # The manifest says earlier runs' rows are in the tables; --overwrite would delete them.
        raise UsageError("--overwrite and --since-manifest contradict each other: use one")
    replaced = len(clear_table_files(table_folders(options.output))) if options.overwrite else None
    if options.since_manifest:
        from parley.manifest import load_manifest, select_new_inputs

        options.since_manifest = absolute(options.since_manifest)
        try:
            manifest = load_manifest(options.since_manifest)
        except ValueError as error:
            raise UsageError(str(error)) from None
        selection = select_new_inputs(list(options.input), manifest)
        # The pipeline reads exactly the new files (and reports the inputs that matched nothing as before).
        options.input = [f.path for f in selection.new_files] + [p.path for p in selection.problems]
        if not options.input:
            return RunSummary(options.output, time.monotonic() - started, {"files_skipped": selection.skipped})
    pipeline = beam.Pipeline(options=options)
    progress = Progress.for_run(options)  # None unless stdout is a terminal, the runner local and no --quiet
    build_batch_pipeline(pipeline, options, progress)
    with progress or contextlib.nullcontext():
        result = pipeline.run()
        result.wait_until_finish()
    summary = RunSummary(options.output, time.monotonic() - started, collect_counters(result))
    if replaced is not None:
        summary.counters["files_replaced"] = replaced
    if selection is not None:
        from parley.manifest import record_processed

        # A run whose accounting does not balance is not a success: its files stay new for the retry.
        if summary.balanced:
            record_processed(options.since_manifest, manifest, selection)
        summary.counters["files_skipped"] = selection.skipped
    return summary
