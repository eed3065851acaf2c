"""Annotate: paragraph events -> compact spaCy analyses, through Beam's RunInference.

RunInference batches paragraphs (BatchElements) and keeps one spaCy pipeline per worker process across
bundles; the handler calls `nlp.pipe` once per batch and hands on one `ArticleAnalyses` per article in the
batch (an article's paragraphs are split in order, so a batch holds whole articles but for its first and last):
the parallel branches and the join then move ~330 elements on the benchmark rather than 7,383 paragraphs.
A paragraph spaCy fails on (it should not happen: paragraphs are capped far below spaCy's max_length) still
flows on with an empty analysis, so its article stays complete, and is reported as a dead letter (stage
'annotate'). Counts `paragraphs_annotated`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.ml.inference.base import ModelHandler, RunInference
from parley.transforms.common import DEAD_LETTERS, METRICS_NAMESPACE, pack, unpack

from parley.articles import excerpt
from parley.nlp.annotate import DEFAULT_MODEL, annotate, load_pipeline
from parley.records import AnnotatedParagraph, DeadLetter, ParagraphEvent


@dataclass(frozen=True, slots=True)
class AnnotationFailure:
    paragraph: ParagraphEvent
    error: str


def empty_annotation(paragraph: ParagraphEvent) -> AnnotatedParagraph:
    return AnnotatedParagraph(paragraph, (), (), (), (), (), (), (), (), ())


class ArticleAnalyses(NamedTuple):
    """The analyses of one article's paragraphs that one inference batch held, in the batch's order."""

    article_id: str
    paragraphs: tuple[AnnotatedParagraph | AnnotationFailure, ...]


def by_article(results: Sequence[AnnotatedParagraph | AnnotationFailure]) -> list[ArticleAnalyses]:
    """Group a batch's results by article, articles in order of first appearance."""
    grouped: dict[str, list] = {}
    for result in results:
        grouped.setdefault(result.paragraph.article_id, []).append(result)
    return [ArticleAnalyses(article_id, tuple(items)) for article_id, items in grouped.items()]


def pack_per_paragraph(analyses: ArticleAnalyses, tag: Callable[[AnnotatedParagraph], Sequence]) -> tuple[int, bytes]:
    """A branch's findings for one ArticleAnalyses, packed for the join as ((paragraph_id, found), ...), and how
    many things it found."""
    found = tuple((a.paragraph.paragraph_id, tuple(tag(a))) for a in analyses.paragraphs)
    return sum(len(items) for _paragraph_id, items in found), pack(found)


def unpack_per_paragraph(packed_values: Iterable[bytes]) -> dict[str, tuple]:
    """paragraph_id -> found, from all of an article's values of one branch (one per inference batch)."""
    return {paragraph_id: items for packed in packed_values for paragraph_id, items in unpack(packed)}


class TagArticleFn(beam.DoFn):
    """One parallel branch: tags each paragraph of an ArticleAnalyses with the coding engine's `tagger` (its
    method name) and yields (article_id, packed ((paragraph_id, found), ...)) for the join; counts what it found
    in the counter `counter`."""

    def __init__(self, tagger: str, counter: str) -> None:
        self.tagger = tagger
        self.found = Metrics.counter(METRICS_NAMESPACE, counter)

    def setup(self) -> None:
        from parley.engine import coding_engine

        self.tag = getattr(coding_engine(), self.tagger)

    def process(self, analyses: ArticleAnalyses) -> Iterable:
        found, packed = pack_per_paragraph(analyses, self.tag)
        self.found.inc(found)
        yield analyses.article_id, packed


class SpacyModelHandler(ModelHandler[ParagraphEvent, Any, Any]):
    """A RunInference handler for a spaCy pipeline over ParagraphEvents."""

    def __init__(self, model_name: str = DEFAULT_MODEL, max_length: int = 100_000, max_batch_size: int = 256) -> None:
        # spaCy's matrix multiplications want big batches: adaptive batching from 1 spent most of a small run in
        # batches of ~10, and even 64-256 cost 15% against one nlp.pipe. A bundle's last batch is smaller.
        super().__init__(min_batch_size=max_batch_size, max_batch_size=max_batch_size)
        self.model_name = model_name
        self.max_length = max_length
        self.max_batch_size = max_batch_size

    def load_model(self):
        return load_pipeline(self.model_name, self.max_length)

    def run_inference(self, batch: Sequence[ParagraphEvent], model, inference_args=None) -> Iterable:
        return by_article(self._annotate(batch, model))

    def _annotate(self, batch: Sequence[ParagraphEvent], model) -> list:
        try:
            return list(annotate(model, batch, batch_size=self.max_batch_size))
        except Exception:
            results: list = []
            for paragraph in batch:
                try:
                    results.extend(annotate(model, [paragraph]))
                except Exception as error:
                    results.append(AnnotationFailure(paragraph, f"{type(error).__name__}: {error}"))
            return results

    def get_num_bytes(self, batch: Sequence[ParagraphEvent]) -> int:
        # The default pickles the whole batch just to measure it.
        return sum(len(p.text) for p in batch)

    def get_metrics_namespace(self) -> str:
        return "parley_annotate"


class _RouteFailuresFn(beam.DoFn):
    def __init__(self) -> None:
        self.annotated = Metrics.counter(METRICS_NAMESPACE, "paragraphs_annotated")
        self.failed = Metrics.counter(METRICS_NAMESPACE, "paragraphs_failed_annotation")

    def process(self, analyses: ArticleAnalyses) -> Iterable:
        if not any(isinstance(result, AnnotationFailure) for result in analyses.paragraphs):
            self.annotated.inc(len(analyses.paragraphs))
            yield analyses
            return
        paragraphs = []
        for result in analyses.paragraphs:
            if isinstance(result, AnnotationFailure):
                self.failed.inc()
                paragraph = result.paragraph
                yield beam.pvalue.TaggedOutput(
                    DEAD_LETTERS,
                    DeadLetter(
                        paragraph.article_id,
                        paragraph.paragraph_id,
                        "annotate",
                        "nlp_error",
                        result.error,
                        excerpt(paragraph.text),
                    ),
                )
                paragraphs.append(empty_annotation(paragraph))
            else:
                self.annotated.inc()
                paragraphs.append(result)
        yield ArticleAnalyses(analyses.article_id, tuple(paragraphs))


class Annotate(beam.PTransform):
    """ParagraphEvent -> {'annotated': ArticleAnalyses (AnnotatedParagraphs only), 'dead_letters': DeadLetter}."""

    def __init__(self, model_name: str = DEFAULT_MODEL, max_length: int = 100_000, max_batch_size: int = 256) -> None:
        super().__init__()
        self.handler = SpacyModelHandler(model_name, max_length, max_batch_size)

    def expand(self, paragraphs):
        routed = (
            paragraphs
            | "SpacyInference" >> RunInference(self.handler)
            | "RouteFailures" >> beam.ParDo(_RouteFailuresFn()).with_outputs(DEAD_LETTERS, main="annotated")
        )
        return {"annotated": routed.annotated, DEAD_LETTERS: routed[DEAD_LETTERS]}
