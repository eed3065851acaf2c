"""Shared fixtures: paths to ../shared (skipping cleanly where it is absent), spaCy, the coding engine."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARLEY_SHARED", REPO.parent / "shared"))
SEED_ARTICLE = SHARED / "fixtures" / "seed_article.txt"
BUNDLED_SEED = REPO / "samples" / "articles" / "seed_article.txt"
SAMPLES = REPO / "samples" / "articles"

# The built coding engine is cached on disk between runs (parley/engine.py): the tests (and the parley processes
# they start, which inherit the environment) use a folder of their own, not the user's cache.
os.environ.setdefault("PARLEY_CACHE_DIR", tempfile.mkdtemp(prefix="parley-test-cache-"))


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the shared corpora/eval data from ../shared")
    return path


def load_module(name: str, path: Path):
    """A Python file that is not in a package (a benchmark script, a deploy entry point) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def nlp():
    from parley.nlp.annotate import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def engine():
    from parley.engine import coding_engine

    return coding_engine()


@pytest.fixture(scope="session")
def code_paragraphs(nlp, engine):
    """code(texts, published) -> interaction rows, for one article made of the given paragraphs."""
    from parley.nlp.annotate import annotate
    from parley.records import ParagraphEvent

    def code(texts: list[str], published: datetime = datetime(2020, 11, 17, tzinfo=UTC)) -> list[dict]:
        paragraphs = [
            ParagraphEvent(f"p{i}", "article", "doc", i, text, 0, len(text), published) for i, text in enumerate(texts)
        ]
        items = [(a, engine.tag_actors(a), engine.tag_topics(a)) for a in annotate(nlp, paragraphs)]
        return engine.code_article(items)

    return code


@pytest.fixture(scope="session")
def tag(nlp, engine):
    """tag(text, published) -> actor mentions of one paragraph."""
    from parley.nlp.annotate import annotate
    from parley.records import ParagraphEvent

    def tag_text(text: str, published: datetime = datetime(2020, 11, 17, tzinfo=UTC)):
        paragraph = ParagraphEvent("p", "article", "doc", 0, text, 0, len(text), published)
        return engine.tag_actors(next(annotate(nlp, [paragraph])))

    return tag_text
