"""Parley's pipeline options: one PipelineOptions subclass, so Beam parses them with its own options."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from parley.limits import Limits
from parley.nlp.annotate import DEFAULT_MODEL

_DEFAULTS = Limits()


class ParleyOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input",
            dest="input",
            action="append",
            default=None,
            help="A file, folder or glob of articles (.txt, .jsonl, optionally .gz/.bz2, or .tar/.zip archives). "
            "Repeatable.",
        )
        parser.add_argument("--output", dest="output", default=None, help="Folder (or gs:// path) for the tables.")
        parser.add_argument(
            "--spacy-model",
            dest="spacy_model",
            default=DEFAULT_MODEL,
            help="Installed spaCy pipeline to load.",
        )
        parser.add_argument(
            "--annotate-batch-size",
            dest="annotate_batch_size",
            type=int,
            default=256,
            help="Most paragraphs per nlp.pipe batch.",
        )
        parser.add_argument(
            "--max-article-bytes",
            dest="max_article_bytes",
            type=int,
            default=_DEFAULTS.max_article_bytes,
            help="Records larger than this are dead-lettered as too_large.",
        )
        parser.add_argument(
            "--max-paragraph-chars",
            dest="max_paragraph_chars",
            type=int,
            default=_DEFAULTS.max_paragraph_chars,
            help="Longer paragraphs are split at sentence ends.",
        )
        parser.add_argument(
            "--max-paragraphs",
            dest="max_paragraphs",
            type=int,
            default=_DEFAULTS.max_paragraphs,
            help="Articles with more paragraphs are dead-lettered as too_many_paragraphs.",
        )
        parser.add_argument(
            "--max-decompressed-bytes",
            dest="max_decompressed_bytes",
            type=int,
            default=_DEFAULTS.max_decompressed_bytes,
            help="Decompression budget per input file.",
        )
        parser.add_argument(
            "--spacy-max-length",
            dest="spacy_max_length",
            type=int,
            default=_DEFAULTS.spacy_max_length,
            help="spaCy's max_length (characters per text).",
        )
        parser.add_argument(
            "--fallback-encoding",
            dest="fallback_encoding",
            default=None,
            help="Decode non-UTF-8 input with this encoding (e.g. cp1252) instead of dead-lettering it.",
        )
        parser.add_argument(
            "--max-rows-per-file",
            dest="max_rows_per_file",
            type=int,
            default=100_000,
            help="Most rows per output file; a partition with more rows is split into several files.",
        )
        parser.add_argument(
            "--since-manifest",
            dest="since_manifest",
            default=None,
            help="JSON manifest of input files already processed (path + content hash): skip them, and record "
            "this run's files there once it succeeds. For nightly runs over a growing archive.",
        )
        parser.add_argument(
            "--overwrite",
            dest="overwrite",
            action="store_true",
            default=False,
            help="Delete the tables an earlier run wrote under --output before writing (batch). Without it a "
            "run adds its files beside them: right for new inputs, but a re-run of the same inputs by another "
            "Parley version would then add a second, different copy of their rows.",
        )
        parser.add_argument(
            "--quiet",
            dest="quiet",
            action="store_true",
            default=False,
            help="No progress display (it is shown only when stdout is a terminal and the runner is local).",
        )

    def limits(self) -> Limits:
        return Limits(
            max_article_bytes=self.max_article_bytes,
            max_paragraph_chars=self.max_paragraph_chars,
            max_paragraphs=self.max_paragraphs,
            max_decompressed_bytes=self.max_decompressed_bytes,
            spacy_max_length=self.spacy_max_length,
        )
