"""ReadArticles: input globs -> raw records (a text file, a JSONL line, an archive member).

Output: the main PCollection of RawRecord and a `dead_letters` PCollection of DeadLetter (stage 'read') for
inputs that match nothing, are not regular files (directories, FIFOs, symlink loops), cannot be opened,
are empty, are corrupt archives or expand past the decompression budget. Input URIs are recorded with any
credentials masked (parley.storage.mask_credentials). Counts `records_read` for both: a file that
cannot be read at all is one record that became a dead letter.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics
from parley.transforms.common import DEAD_LETTERS, METRICS_NAMESPACE

from parley.limits import Limits
from parley.reading import read_records
from parley.records import DeadLetter, RawRecord
from parley.storage import InputFile, InputProblem, expand_input, mask_credentials


class ExpandInputsFn(beam.DoFn):
    def __init__(self) -> None:
        self.files = Metrics.counter(METRICS_NAMESPACE, "input_files")
        self.read = Metrics.counter(METRICS_NAMESPACE, "records_read")

    def process(self, pattern: str) -> Iterable:
        try:
            found_all = expand_input(pattern)
        except Exception as error:  # an input that cannot even be listed is one dead letter, not a crashed run
            found_all = [InputProblem(pattern, "unreadable", f"cannot list {pattern}: {type(error).__name__}: {error}")]
        for found in found_all:
            if isinstance(found, InputProblem):
                self.read.inc()
                # Input URIs are recorded with credentials masked (a user:password@ URL, a signed URL's token).
                uri = mask_credentials(found.path)
                yield beam.pvalue.TaggedOutput(
                    DEAD_LETTERS, DeadLetter(uri, uri, "read", found.reason, mask_credentials(found.error))
                )
            else:
                self.files.inc()
                yield found


class ReadRecordsFn(beam.DoFn):
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.read = Metrics.counter(METRICS_NAMESPACE, "records_read")

    def process(self, input_file: InputFile) -> Iterable:
        for item in read_records(input_file.path, self.limits):
            self.read.inc()
            if isinstance(item, RawRecord):
                yield item
            else:
                yield beam.pvalue.TaggedOutput(DEAD_LETTERS, item)


class ReadArticles(beam.PTransform):
    """PCollection[str] of --input patterns -> {'records': RawRecord, 'dead_letters': DeadLetter}."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def expand(self, patterns):
        files = patterns | "ExpandInputs" >> beam.ParDo(ExpandInputsFn()).with_outputs(DEAD_LETTERS, main="files")
        records = (
            files.files
            # One file may hold thousands of records: spread files over workers before reading them.
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadRecords" >> beam.ParDo(ReadRecordsFn(self.limits)).with_outputs(DEAD_LETTERS, main="records")
        )
        dead = (files[DEAD_LETTERS], records[DEAD_LETTERS]) | "ReadDeadLetters" >> beam.Flatten()
        return {"records": records.records, DEAD_LETTERS: dead}
