"""The coding engine cached on disk between runs: same results as a fresh build, rebuilt when unreadable,
never unpickled from a file or folder other users can write."""

from __future__ import annotations

import logging
import os
import pickle
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parley.engine import CACHE_ENV, CodingEngine, engine_cache_folder, engine_fingerprint, load_engine
from parley.records import ParagraphEvent

TEXTS = [
    "Russian President Vladimir Putin met Turkish President Recep Tayyip Erdogan in Sochi on Tuesday.",
    "Israel's military said it struck Hamas targets in Gaza after rockets were fired from the strip.",
    "The European Union imposed new sanctions on Belarus, and the United Nations called for talks.",
]


@pytest.fixture(scope="module")
def annotated(nlp):
    from parley.nlp.annotate import annotate

    published = datetime(2020, 11, 17, tzinfo=UTC)
    paragraphs = [ParagraphEvent(f"p{i}", "a", "doc", i, t, 0, len(t), published) for i, t in enumerate(TEXTS)]
    return list(annotate(nlp, paragraphs))


def outputs(engine: CodingEngine, annotated) -> tuple:
    items = [(a, engine.tag_actors(a), engine.tag_topics(a)) for a in annotated]
    return tuple(tuple(m) for _a, m, _t in items), tuple(tuple(t) for _a, _m, t in items), engine.code_article(items)


def cache_files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_cached_engine_codes_like_a_fresh_build(tmp_path, annotated):
    built = load_engine(tmp_path)
    assert cache_files(tmp_path) == [f"engine-{engine_fingerprint()}.pickle"]
    written = (tmp_path / cache_files(tmp_path)[0]).stat().st_mtime_ns
    loaded = load_engine(tmp_path)
    assert loaded is not built  # read back from the file, not rebuilt (the file is untouched)
    assert (tmp_path / cache_files(tmp_path)[0]).stat().st_mtime_ns == written
    fresh = outputs(built, annotated)
    assert fresh[0] and fresh[2], "the sample paragraphs should give mentions and interactions"
    assert outputs(loaded, annotated) == fresh


def test_an_unreadable_cache_is_rebuilt_and_replaced(tmp_path, caplog, annotated):
    path = tmp_path / f"engine-{engine_fingerprint()}.pickle"
    path.write_bytes(b"\x80\x05 not a pickle")
    with caplog.at_level(logging.WARNING, logger="parley.engine"):
        engine = load_engine(tmp_path)
    assert "unreadable engine cache" in caplog.text
    assert isinstance(pickle.loads(path.read_bytes()), CodingEngine)
    assert outputs(engine, annotated)[2]


def test_earlier_versions_are_removed_and_foreign_pickles_ignored(tmp_path):
    stale = tmp_path / "engine-000000000000000000000000.pickle"
    stale.write_bytes(pickle.dumps({"not": "an engine"}))
    (tmp_path / f"engine-{engine_fingerprint()}.pickle").write_bytes(pickle.dumps(["foreign"]))
    assert isinstance(load_engine(tmp_path), CodingEngine)
    assert cache_files(tmp_path) == [f"engine-{engine_fingerprint()}.pickle"]


class _Planted:
    """A pickle that, once loaded, creates a file: what a stranger could plant in a shared cache folder."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file ownership and modes are POSIX")
@pytest.mark.parametrize("loosened", ["file", "folder"])
def test_a_cache_others_can_write_is_not_unpickled(tmp_path, caplog, loosened):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    path = folder / f"engine-{engine_fingerprint()}.pickle"
    marker = tmp_path / "planted-code-ran"
    planted = pickle.dumps(_Planted(marker))
    path.write_bytes(planted)
    (path if loosened == "file" else folder).chmod(0o666 if loosened == "file" else 0o777)
    with caplog.at_level(logging.WARNING, logger="parley.engine"):
        engine = load_engine(folder)
    assert isinstance(engine, CodingEngine)
    assert not marker.exists()
    assert f"the cache {loosened} is writable by other users" in caplog.text
    if loosened == "file":  # replaced by a cache for this user only
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert isinstance(pickle.loads(path.read_bytes()), CodingEngine)
    else:  # no cache is written where the loader would refuse it
        assert path.read_bytes() == planted
        assert cache_files(folder) == [path.name]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file ownership and modes are POSIX")
def test_the_cache_is_written_for_its_user_only(tmp_path):
    load_engine(tmp_path / "cache")
    (written,) = (tmp_path / "cache").iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) & 0o077 == 0
    assert isinstance(load_engine(tmp_path / "cache"), CodingEngine)


def test_an_unwritable_cache_folder_still_gives_an_engine(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert isinstance(load_engine(blocked / "cache"), CodingEngine)
    assert blocked.read_text() == "not a folder"


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert engine_cache_folder() == tmp_path
    for off in ("off", "", "0"):
        monkeypatch.setenv(CACHE_ENV, off)
        assert engine_cache_folder() is None
    monkeypatch.delenv(CACHE_ENV)
    assert engine_cache_folder().name == "parley"
