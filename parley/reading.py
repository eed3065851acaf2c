"""Turn one input file into raw records: a text article, the lines of a JSONL file, or the members of an
archive, through gzip / bz2 decompression with a byte budget. Never raises for bad input: every problem
becomes a DeadLetter (stage 'read') and reading goes on where it can.
"""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile
import zipfile
import zlib
from collections.abc import Iterator

from parley.articles import doc_id_for_path, excerpt
from parley.limits import Limits
from parley.records import DeadLetter, RawRecord
from parley.storage import open_binary

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSION_SUFFIXES = (".gz", ".gzip", ".bz2")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".zip")
_READ_CHUNK = 1 << 20


class SizeLimitExceeded(IOError):
    pass


class BoundedReader(io.RawIOBase):
    """Wraps a (decompressing) stream and fails once more than `limit` bytes have come out of it:
    a small .gz that expands to terabytes stops at the limit instead of filling memory or disk."""

    def __init__(self, stream, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), _READ_CHUNK))
        self.consumed += len(data)
        if self.consumed > self._limit:
            raise SizeLimitExceeded(f"decompressed data exceeds the --max-decompressed-bytes limit of {self._limit:,}")
        buffer[: len(data)] = data
        return len(data)


def _strip_compression(name: str) -> str:
    lowered = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def record_kind(name: str) -> str:
    return "json" if _strip_compression(name).lower().endswith(JSON_SUFFIXES) else "text"


class DecompressingReader(io.RawIOBase):
    """Incremental gzip / bz2 decompression that hands out every byte it could decode before a truncated or
    corrupt end (gzip.GzipFile would drop the last partial block), then raises. Handles concatenated members."""

    def __init__(self, raw, make_decompressor) -> None:
        self._raw = raw
        self._make = make_decompressor
        self._decompressor = make_decompressor()
        self._pending = b""
        self._finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending and not self._finished:
            chunk = self._raw.read(64 * 1024)
            if not chunk:
                if not self._decompressor.eof:
                    self._finished = True
                    raise EOFError("compressed file ended before the end-of-stream marker was reached")
                self._finished = True
                break
            self._pending = self._decompressor.decompress(chunk)
            while self._decompressor.eof and self._decompressor.unused_data:
                rest = self._decompressor.unused_data
                self._decompressor = self._make()
                self._pending += self._decompressor.decompress(rest)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _decompressed(raw, name: str, limits: Limits):
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    lowered = name.lower()
    if head[:2] == b"\x1f\x8b" or lowered.endswith((".gz", ".gzip", ".tgz")):
        stream = DecompressingReader(raw, lambda: zlib.decompressobj(wbits=31))
    elif head[:3] == b"BZh" or lowered.endswith((".bz2", ".tbz2")):
        stream = DecompressingReader(raw, bz2.BZ2Decompressor)
    else:
        stream = raw
    return io.BufferedReader(BoundedReader(stream, limits.max_decompressed_bytes), buffer_size=_READ_CHUNK)


def _problem(path: str, key: str, reason: str, error: str, data: bytes | None = None) -> DeadLetter:
    return DeadLetter(path, key, "read", reason, error, excerpt(data) if data else None)


_READ_ERRORS = (OSError, EOFError, zlib.error, ValueError, tarfile.TarError, zipfile.BadZipFile)


def _reason_for(error: BaseException) -> str:
    if isinstance(error, SizeLimitExceeded):
        return "too_large"
    if isinstance(error, EOFError | zlib.error | gzip.BadGzipFile | tarfile.TarError | zipfile.BadZipFile):
        return "corrupt_archive"
    text = str(error).lower()
    if "invalid data stream" in text or "compressed file ended" in text or "not a gzipped file" in text:
        return "corrupt_archive"
    return "unreadable"


def _drain(stream, until_newline: bool) -> int:
    """Read and drop the rest of an oversized record without holding it; return how many bytes that was."""
    total = 0
    while True:
        chunk = stream.readline(_READ_CHUNK) if until_newline else stream.read(_READ_CHUNK)
        total += len(chunk)
        if not chunk or (until_newline and chunk.endswith(b"\n")):
            return total


def _records_from_stream(
    stream, path: str, member: str, kind: str, limits: Limits, prefix: str = ""
) -> Iterator[RawRecord | DeadLetter]:
    doc_id = doc_id_for_path(member)
    limit = limits.max_article_bytes
    if kind == "text":
        data = stream.read(limit + 1)
        key = f"{prefix}{doc_id}"
        if len(data) > limit:
            size = len(data) + _drain(stream, until_newline=False)
            yield _problem(
                path,
                key,
                "too_large",
                f"{size:,} bytes is over the --max-article-bytes limit of {limit:,}",
                data,
            )
            return
        yield RawRecord(path, key, kind, data, doc_id)
        return
    line_number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        line_number += 1
        key = f"{prefix}line {line_number}"
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line) + _drain(stream, until_newline=True)
            yield _problem(
                path,
                key,
                "too_large",
                f"a {size:,}-byte line is over the --max-article-bytes limit of {limit:,}",
                line,
            )
            continue
        stripped = line.rstrip(b"\r\n")
        if not stripped.strip():
            # Blank lines between JSONL records are layout, not records.
            continue
        yield RawRecord(path, key, kind, stripped, doc_id)


def read_records(path: str, limits: Limits) -> Iterator[RawRecord | DeadLetter]:
    """All records of one input file (text, JSONL, optionally gzip/bz2-compressed, or a tar/zip archive)."""
    name = doc_id_for_path(path)
    lowered = name.lower()
    try:
        raw = open_binary(path)
    except _READ_ERRORS as error:
        yield _problem(path, name, "unreadable", f"cannot open: {error}")
        return
    emitted = 0
    try:
        with raw:
            buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
            if lowered.endswith(ARCHIVE_SUFFIXES):
                yield from _archive_records(buffered, path, lowered, limits)
                return
            stream = _decompressed(buffered, name, limits)
            for record in _records_from_stream(stream, path, name, record_kind(name), limits):
                emitted += 1
                yield record
    except _READ_ERRORS as error:
        where = "the file" if emitted == 0 else f"the rest of the file after {emitted} records"
        yield _problem(
            path,
            f"{name} (after record {emitted})" if emitted else name,
            _reason_for(error),
            f"cannot read {where}: {error}",
        )


def _archive_records(stream, path: str, lowered: str, limits: Limits) -> Iterator[RawRecord | DeadLetter]:
    budget = limits.max_decompressed_bytes
    if lowered.endswith(".zip"):
        data = BoundedReader(stream, budget)
        archive = zipfile.ZipFile(io.BytesIO(io.BufferedReader(data).read()))
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > budget:
                yield _problem(path, info.filename, "too_large", f"member expands to {info.file_size:,} bytes")
                continue
            with archive.open(info) as member:
                bounded = io.BufferedReader(BoundedReader(member, budget))
                yield from _records_from_stream(
                    bounded, path, info.filename, record_kind(info.filename), limits, f"{info.filename}:"
                )
        return
    with tarfile.open(fileobj=_decompressed(stream, lowered, limits), mode="r|*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            yield from _records_from_stream(
                io.BufferedReader(BoundedReader(handle, budget)),
                path,
                member.name,
                record_kind(member.name),
                limits,
                f"{member.name}:",
            )
