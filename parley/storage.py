"""File access that works on local disks and on Beam filesystems (gs://, s3://, hdfs://).

Writes are atomic: a file is written under a hidden temporary name in its final folder and renamed into place,
so a reader (DuckDB, Spark, BigQuery external tables) never sees a half-written file, and a killed run leaves
only hidden `.tmp` files, which readers skip and the next run sweeps.
"""

from __future__ import annotations

import glob
import os
import re
import stat
import uuid
from dataclasses import dataclass

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
TEMP_MARKER = ".tmp-"
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json", ".gz", ".bz2", ".tgz", ".tar", ".zip")


def is_local(path: str) -> bool:
    return path.startswith("file://") or not _SCHEME.match(path)


def local_path(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def join(base: str, *parts: str) -> str:
    if is_local(base):
        return os.path.join(local_path(base), *parts)
    return "/".join([base.rstrip("/"), *parts])


def absolute(path: str) -> str:
    """Local paths made absolute (workers may run elsewhere than the launcher's working directory)."""
    return os.path.abspath(local_path(path)) if is_local(path) else path


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    folder, name = os.path.split(path) if is_local(path) else path.rsplit("/", 1)
    temporary = f"{folder}/.{name}{TEMP_MARKER}{uuid.uuid4().hex[:12]}"
    if is_local(path):
        folder = local_path(folder)
        temporary = local_path(temporary)
        os.makedirs(folder, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, local_path(path))
        return
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.create(temporary) as handle:
        handle.write(data)
    FileSystems.rename([temporary], [path])


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    size: int | None


@dataclass(frozen=True, slots=True)
class InputProblem:
    path: str
    reason: str
    error: str


def expand_input(pattern: str) -> list[InputFile | InputProblem]:
    """The files an --input names: a file, a folder (all files below it) or a glob.

    Anything that is not a readable regular file (a directory matched by a glob, a FIFO, a socket, a broken
    link, a symlink loop) comes back as an InputProblem, so it can be dead-lettered instead of hanging or
    crashing the run.
    """
    if not is_local(pattern):
        from apache_beam.io.filesystems import FileSystems

        try:
            matches = FileSystems.match([pattern])[0].metadata_list
        except Exception as error:
            return [InputProblem(pattern, "unreadable", f"cannot list {pattern}: {error}")]
        if not matches:
            return [InputProblem(pattern, "no_match", f"no file matches {pattern}")]
        return [InputFile(m.path, m.size_in_bytes) for m in sorted(matches, key=lambda m: m.path)]
    path = local_path(pattern)
    if os.path.isdir(path):
        path = os.path.join(path, "**", "*")
    if glob.has_magic(path):
        names = sorted(set(glob.glob(path, recursive=True)))
        if os.path.isdir(local_path(pattern)):
            # Listing a folder: its sub-folders are containers whose files are listed too, except a folder
            # named like an article file ("story.txt/"), which is reported rather than silently skipped.
            names = [
                n
                for n in names
                if not (os.path.isdir(n) and not os.path.islink(n)) or n.lower().endswith(ARTICLE_SUFFIXES)
            ]
    else:
        names = [path]
    if not names:
        return [InputProblem(pattern, "no_match", f"no file matches {pattern}")]
    results: list[InputFile | InputProblem] = []
    for name in names:
        results.append(_check_local(name))
    return results


def _check_local(name: str) -> InputFile | InputProblem:
    try:
        info = os.stat(name)
    except OSError as error:
        reason = "symlink_loop" if error.errno == 40 else ("not_found" if error.errno == 2 else "unreadable")
        return InputProblem(name, reason, f"cannot open {name}: {error.strerror}")
    if stat.S_ISDIR(info.st_mode):
        return InputProblem(name, "not_a_file", f"{name} is a directory, not an article file")
    if not stat.S_ISREG(info.st_mode):
        kind = "FIFO" if stat.S_ISFIFO(info.st_mode) else "socket or device"
        return InputProblem(name, "not_a_file", f"{name} is a {kind}, not a regular file (not read, to avoid blocking)")
    if not os.access(name, os.R_OK):
        return InputProblem(name, "unreadable", f"no permission to read {name}")
    return InputFile(os.path.abspath(name), info.st_size)


def open_binary(path: str):
    """A binary reader for a local or Beam-filesystem path (no decompression)."""
    if is_local(path):
        return open(local_path(path), "rb")
    from apache_beam.io.filesystems import CompressionTypes, FileSystems

    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
