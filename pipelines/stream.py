"""Streaming entry point: a queue, a feed or a folder in, the same six tables out, in near real time.

    parley stream --source redis://localhost:6379/articles?group=parley --output out/ [--drain 30]

How it runs: the source is read in micro-batches (up to --batch-max-records records or --batch-max-seconds
of waiting). Each micro-batch goes through the same transforms as `parley batch` (ProcessRecords, then
WriteTables) as one bounded Beam pipeline in this process, where the spaCy model and the codebooks stay
loaded between batches. Only after the batch's files are renamed into place is the batch committed at the
source (Redis XACK, feed entries and files remembered). A crash replays the uncommitted batch; content-hash
ids and file names make the replay write the same rows.

Why micro-batches rather than an unbounded Beam source here: on this machine the only local runner that
runs a streaming Python pipeline is the FnApiRunner, which fires GroupByKeys (Parley's de-duplication, the
per-article join and the file writer) only when its sources end. A bounded pipeline per micro-batch keeps the
same graph and writes within seconds. On Dataflow or Flink use a real unbounded read (Pub/Sub or Kafka)
with fixed windows in front of the same ProcessRecords; see the README.

--drain N stops once the source has been idle for N seconds (after writing and committing everything);
without it the job runs until stopped, and SIGTERM or Ctrl-C stops it cleanly after the current batch.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from parley.pipelines.batch import RunSummary, UsageError, collect_counters
from parley.pipelines.options import ParleyOptions
from parley.transforms.common import DEAD_LETTERS
from parley.transforms.process import ProcessRecords
from parley.transforms.write import WriteTables

from parley.sources import Batch, Source, SourceError, open_source
from parley.storage import absolute, join

LOG = logging.getLogger("parley.stream")


class StreamOptions(ParleyOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--source",
            dest="source",
            default=None,
            help="redis://HOST:PORT/STREAM?group=GROUP | feed+https://URL[|https://URL2] | dir://PATH",
        )
        parser.add_argument(
            "--drain",
            dest="drain",
            type=float,
            default=None,
            help="Stop after the source is idle for this many seconds.",
        )
        parser.add_argument("--batch-max-records", dest="batch_max_records", type=int, default=200)
        parser.add_argument(
            "--batch-max-seconds",
            dest="batch_max_seconds",
            type=float,
            default=2.0,
            help="Longest wait to fill a micro-batch (the latency floor).",
        )
        parser.add_argument(
            "--consumer", dest="consumer", default=None, help="Redis consumer name (default parley-HOSTNAME)."
        )
        parser.add_argument(
            "--claim-idle-seconds",
            dest="claim_idle_seconds",
            type=float,
            default=60.0,
            help="Claim Redis entries another consumer left pending this long.",
        )
        parser.add_argument(
            "--poll-seconds", dest="poll_seconds", type=float, default=60.0, help="Feed polling interval."
        )
        parser.add_argument("--fetch-timeout", dest="fetch_timeout", type=float, default=10.0)
        parser.add_argument("--heartbeat-seconds", dest="heartbeat_seconds", type=float, default=30.0)


@dataclass
class StreamState:
    started: float = field(default_factory=time.monotonic)
    batches: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    last_heartbeat: float = field(default_factory=time.monotonic)

    def add(self, counters: dict[str, int]) -> None:
        self.batches += 1
        for name, value in counters.items():
            self.counters[name] = self.counters.get(name, 0) + value


def parse_stream_options(argv: Sequence[str]) -> StreamOptions:
    options = PipelineOptions(list(argv)).view_as(StreamOptions)
    if not options.source:
        raise UsageError("--source is required")
    if not options.output:
        raise UsageError("--output is required")
    for flag, given in (("--overwrite", options.overwrite), ("--since-manifest", options.since_manifest)):
        if given:
            raise UsageError(f"{flag} is a batch option: a stream adds its files to --output as it goes")
    options.output = absolute(options.output)
    return options


def source_settings(options: StreamOptions) -> dict:
    return {
        "redis": {"consumer": options.consumer, "claim_idle_seconds": options.claim_idle_seconds},
        "feed": {"poll_seconds": options.poll_seconds, "fetch_timeout": options.fetch_timeout},
        "dir": {"poll_seconds": min(options.poll_seconds, 2.0), "limits": options.limits()},
    }


def run_micro_batch(batch: Batch, options: StreamOptions) -> dict[str, int]:
    """Code and write one micro-batch with the batch pipeline's transforms; returns its counters."""
    limits = options.limits()
    pipeline = beam.Pipeline(options=PipelineOptions(["--runner", "DirectRunner"]))
    source = {
        "records": pipeline | "Records" >> beam.Create(batch.records, reshuffle=False),
        DEAD_LETTERS: pipeline | "SourceDeadLetters" >> beam.Create(batch.dead_letters, reshuffle=False),
    }
    rows = source | "ProcessRecords" >> ProcessRecords(
        limits, options.spacy_model, options.annotate_batch_size, options.fallback_encoding
    )
    rows | "WriteTables" >> WriteTables(options.output, options.max_rows_per_file)
    result = pipeline.run()
    result.wait_until_finish()
    counters = collect_counters(result)
    # Records the source handed out count as read, like the batch reader's counter.
    counters["records_read"] = counters.get("records_read", 0) + len(batch.records) + len(batch.dead_letters)
    return counters


def heartbeat(state: StreamState, source: Source, force: bool = False, every: float = 30.0) -> None:
    now = time.monotonic()
    if not force and now - state.last_heartbeat < every:
        return
    state.last_heartbeat = now
    c = state.counters
    backlog = source.backlog()
    LOG.info(
        "heartbeat: %d batches, %d records read, %d articles, %d interactions, %d dead letters, backlog %s, up %.0f s",
        state.batches,
        c.get("records_read", 0),
        c.get("rows_articles", 0),
        c.get("rows_interactions", 0),
        c.get("dead_letter_records", 0),
        "?" if backlog is None else backlog,
        now - state.started,
    )


def run(argv: Sequence[str], stop: threading.Event | None = None) -> RunSummary:
    options = parse_stream_options(argv)
    own_stop = stop is None
    stop = stop or threading.Event()
    try:
        source = open_source(options.source, join(options.output, "_state"), source_settings(options))
    except SourceError as error:
        raise UsageError(str(error)) from None
    if own_stop and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    state = StreamState()
    idle_since = time.monotonic()
    LOG.info("streaming from %s into %s", source.description, options.output)
    try:
        while not stop.is_set():
            batch = source.next_batch(options.batch_max_records, options.batch_max_seconds, stop)
            if len(batch) == 0 and not batch.tokens:
                if options.drain is not None and time.monotonic() - idle_since >= options.drain:
                    break
                heartbeat(state, source, every=options.heartbeat_seconds)
                continue
            if len(batch):
                state.add(run_micro_batch(batch, options))
            source.commit(batch)
            idle_since = time.monotonic()
            heartbeat(state, source, every=options.heartbeat_seconds)
    finally:
        heartbeat(state, source, force=True)
        source.close()
    return RunSummary(options.output, time.monotonic() - state.started, state.counters, title="Parley stream")
