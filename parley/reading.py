"""Turn one input file into raw records: a text article, the lines of a JSONL file (or the items of a JSON
array document), or the members of an archive, through gzip / bz2 decompression with a byte budget. Never
raises for bad input: every problem becomes a DeadLetter (stage 'read') and reading goes on where it can.

- Compression is recognised by its magic bytes, not only by the file name: a `.bz2` that is really gzip is
  read as gzip, and a `.gz` that holds plain text is read as text; a `.gz` that is neither is corrupt.
- The decompression budget (--max-decompressed-bytes) is shared by everything one input file expands to
  (the archive stream, every member, compressed members inside archives), so neither one bomb nor a zip of
  a thousand overlapping members gets past it.
- A file (or archive member) that yields no record at all is reported as `empty`, so even an empty
  JSONL file or archive shows up in `dead_letters`.
- Archive members that are not regular files (symlinks, hard links, devices) are reported as `not_a_file` and
  never followed; member names are only record keys, never paths anything is written to.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator

from parley.articles import JSON_DECODER, doc_id_for_path, excerpt, loads_json
from parley.limits import Limits
from parley.records import DeadLetter, RawRecord
from parley.storage import mask_credentials, open_binary

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSION_SUFFIXES = (".gz", ".gzip", ".bz2")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".zip")
_COMPRESSED_NAMES = (*COMPRESSION_SUFFIXES, ".tgz", ".tbz2")
_READ_CHUNK = 1 << 20
# Byte-order marks of wide encodings, UTF-32 first (its little-endian mark begins with UTF-16's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 4096


class SizeLimitExceeded(IOError):
    pass


class CorruptInput(IOError):
    pass


class DecompressionBudget:
    """The bytes that everything one input file decompresses to may add up to."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise SizeLimitExceeded(f"decompressed data exceeds the --max-decompressed-bytes limit of {self.limit:,}")


class BoundedReader(io.RawIOBase):
    """Wraps a (decompressing) stream and fails once more than the budget has come out of it (a budget shared
    by several readers, or a plain byte limit): a small .gz that expands to terabytes stops at the limit
    instead of filling memory or disk."""

    def __init__(self, stream, budget: DecompressionBudget | int) -> None:
        self._stream = stream
        self._budget = budget if isinstance(budget, DecompressionBudget) else DecompressionBudget(budget)

    @property
    def consumed(self) -> int:
        return self._budget.used

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), _READ_CHUNK))
        self._budget.spend(len(data))
        buffer[: len(data)] = data
        return len(data)


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of the stream."""

    def __init__(self, head: bytes, stream) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(min(len(buffer), _READ_CHUNK))
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
            # At most one read chunk of output per call: a bomb cannot inflate a whole chunk into memory at once
            # beyond what the budget check sees next.
            self._pending = self._decompressor.decompress(chunk)
            while self._decompressor.eof and self._decompressor.unused_data:
                rest = self._decompressor.unused_data
                self._decompressor = self._make()
                self._pending += self._decompressor.decompress(rest)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _decompressed(raw, name: str, budget: DecompressionBudget, archive: bool = False):
    """The decompressed stream of `raw` (a buffered reader), by magic bytes first and then by name. A tar named
    `.tgz` that is not compressed is still a tar (`archive`): its headers are not text, but tarfile reads it."""
    head = raw.peek(_SNIFF_BYTES)[:_SNIFF_BYTES] if hasattr(raw, "peek") else b""
    lowered = name.lower()
    if head[:2] == _GZIP_MAGIC:
        stream = DecompressingReader(raw, lambda: zlib.decompressobj(wbits=31))
    elif head[:3] == b"BZh" and head[3:4].isdigit() and head[3:4] != b"0":
        stream = DecompressingReader(raw, bz2.BZ2Decompressor)
    elif lowered.endswith(_COMPRESSED_NAMES) and not archive:
        if _looks_like_text(head):
            return raw  # a plain-text file with a compression suffix: read it as it is
        raise CorruptInput(f"named like a compressed file but is neither gzip nor bzip2 data (starts {head[:8]!r})")
    else:
        return raw
    return io.BufferedReader(BoundedReader(stream, budget), buffer_size=_READ_CHUNK)


def _problem(uri: str, key: str, reason: str, error: str, data: bytes | str | None = None) -> DeadLetter:
    return DeadLetter(uri, key, "read", reason, mask_credentials(error), excerpt(data) if data else None)


_READ_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    tarfile.TarError,
    zipfile.BadZipFile,
    RuntimeError,  # zipfile: an encrypted member
    NotImplementedError,  # zipfile: a compression method Python cannot read
)


def _reason_for(error: BaseException) -> str:
    if isinstance(error, SizeLimitExceeded):
        return "too_large"
    if isinstance(
        error, CorruptInput | EOFError | zlib.error | gzip.BadGzipFile | tarfile.TarError | zipfile.BadZipFile
    ):
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
    stream, uri: str, member: str, kind: str, limits: Limits, prefix: str = ""
) -> Iterator[RawRecord | DeadLetter]:
    doc_id = doc_id_for_path(member)
    limit = limits.max_article_bytes
    if kind == "text":
        data = stream.read(limit + 1)
        key = f"{prefix}{doc_id}"
        if len(data) > limit:
            size = len(data) + _drain(stream, until_newline=False)
            yield _problem(
                uri,
                key,
                "too_large",
                f"{size:,} bytes is over the --max-article-bytes limit of {limit:,}",
                data,
            )
            return
        yield RawRecord(uri, key, kind, data, doc_id)
        return
    if _strip_compression(member).lower().endswith(".json"):
        yield from _json_document_records(stream, uri, doc_id, limits, prefix)
        return
    yield from _json_lines(stream, uri, doc_id, limits, prefix)


class _Utf8Lines:
    """A UTF-16/32 text stream (it starts with a byte-order mark) read as UTF-8 lines, so JSONL written by
    Windows tools splits on its real newlines and not on a byte of a wide character."""

    def __init__(self, stream, encoding: str) -> None:
        self._text = io.TextIOWrapper(io.BufferedReader(stream), encoding=encoding, errors="strict", newline="")

    def readline(self, size: int = -1) -> bytes:
        return self._text.readline(size).encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8")


def _json_lines(stream, uri: str, doc_id: str, limits: Limits, prefix: str) -> Iterator[RawRecord | DeadLetter]:
    limit = limits.max_article_bytes
    # The first line is read as bytes either way; only a file that opens with a UTF-16/32 byte-order mark is
    # re-read through a decoder (which reads ahead: a truncated wide file loses the records of its last block).
    pending: bytes | None = stream.readline(limit + 1)
    wide = next((encoding for mark, encoding in _WIDE_BOMS if pending.startswith(mark)), None)
    if wide is not None:
        stream, pending = _Utf8Lines(_Prefixed(pending, stream), wide), None
    line_number = 0
    while True:
        if pending is not None:
            line, pending = pending, None
        else:
            line = stream.readline(limit + 1)
        if not line:
            return
        line_number += 1
        key = f"{prefix}line {line_number}"
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line) + _drain(stream, until_newline=True)
            yield _problem(
                uri,
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
        yield RawRecord(uri, key, "json", stripped, doc_id)


def _first_line_is_json(body: bytes) -> bool:
    try:
        loads_json(body.split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return False
    return True


def _json_document_records(stream, uri: str, doc_id: str, limits: Limits, prefix: str) -> Iterator:
    """A `.json` file is JSONL unless it is one JSON document: an array of records (one record per item, read
    item by item, so the array may be any size) or a pretty-printed object spread over several lines (one
    record)."""
    limit = limits.max_article_bytes
    head = stream.read(limit + 1)
    body = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if body[:1] == b"[":
        yield from _json_array_items(head, stream, uri, doc_id, limit, prefix)
        return
    if body[:1] != b"{" or _first_line_is_json(body):
        yield from _json_lines(io.BufferedReader(_Prefixed(head, stream)), uri, doc_id, limits, prefix)
        return
    if len(head) > limit:
        size = len(head) + _drain(stream, until_newline=False)
        yield _problem(
            uri,
            f"{prefix}document",
            "too_large",
            f"a {size:,}-byte JSON document is over the --max-article-bytes limit of {limit:,}",
            head,
        )
        return
    # One object (or not JSON after all: the parser says why not).
    yield RawRecord(uri, f"{prefix}document", "json", head, doc_id)


_ARRAY_SEPARATORS = re.compile(r"[\s,]*")


def _json_array_items(head: bytes, stream, uri: str, doc_id: str, limit: int, prefix: str) -> Iterator:
    """The items of a JSON array document, decoded one at a time (each at most `limit` bytes or so)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    text = decoder.decode(head)
    position = text.index("[") + 1
    exhausted = False
    index = 0

    def more() -> bool:
        nonlocal text, exhausted
        if exhausted:
            return False
        chunk = stream.read(_READ_CHUNK)
        exhausted = not chunk
        text += decoder.decode(chunk, final=exhausted)
        return True

    while True:
        position = _ARRAY_SEPARATORS.match(text, position).end()
        if position >= len(text):
            if more():
                continue
            yield _problem(uri, f"{prefix}item {index + 1}", "malformed_json", "the JSON array is not closed")
            return
        if text[position] == "]":
            return
        try:
            item, end = JSON_DECODER.raw_decode(text, position)
            complete = end < len(text) or exhausted  # a number cut short by the chunk would still decode
        except (ValueError, RecursionError):
            complete = False
        if not complete:
            if len(text) - position <= 2 * limit and more():
                continue
            key = f"{prefix}item {index + 1}"
            reason = "too_large" if len(text) - position > 2 * limit else "malformed_json"
            yield _problem(
                uri, key, reason, f"cannot read item {index + 1} or the rest of the JSON array", text[position:][:300]
            )
            return
        index += 1
        yield RawRecord(uri, f"{prefix}item {index}", "json", json.dumps(item, ensure_ascii=True).encode(), doc_id)
        position = end
        if position > _READ_CHUNK:  # drop what is done, now and then (not after every item: that copies a lot)
            text, position = text[position:], 0


def _at_least_one(records: Iterator, uri: str, key: str, what: str) -> Iterator:
    """`records`, or one `empty` dead letter when there are none, so an empty file or member is not silent."""
    count = 0
    for record in records:
        count += 1
        yield record
    if count == 0:
        yield _problem(uri, key, "empty", f"the {what} holds no records (it is empty or only blank lines)")


def read_records(path: str, limits: Limits) -> Iterator[RawRecord | DeadLetter]:
    """All records of one input file (text, JSONL, optionally gzip/bz2-compressed, or a tar/zip archive)."""
    uri = mask_credentials(path)
    name = doc_id_for_path(path)
    lowered = name.lower()
    try:
        raw = open_binary(path)
    except _READ_ERRORS as error:
        yield _problem(uri, name, "unreadable", f"cannot open: {error}")
        return
    emitted = 0
    budget = DecompressionBudget(limits.max_decompressed_bytes)
    try:
        with raw:
            buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
            if not buffered.peek(1):
                yield _problem(uri, name, "empty", "the file is empty (0 bytes)")
                return
            if lowered.endswith(ARCHIVE_SUFFIXES):
                records = _archive_records(buffered, uri, lowered, limits, budget)
                what = "archive"
            else:
                stream = _decompressed(buffered, name, budget)
                records = _records_from_stream(stream, uri, name, record_kind(name), limits)
                what = "file"
            for record in _at_least_one(records, uri, name, what):
                emitted += 1
                yield record
    except _READ_ERRORS as error:
        yield _rest_unreadable(uri, name, emitted, error)
    except Exception as error:
        # Not a known kind of bad input: still one dead letter with the error, never a crashed run.
        yield _problem(uri, name, "unreadable", f"cannot read the file: {type(error).__name__}: {error}")


def _rest_unreadable(uri: str, key: str, emitted: int, error: BaseException) -> DeadLetter:
    where = "the file" if emitted == 0 else f"the rest of the file after {emitted} records"
    return _problem(
        uri,
        f"{key} (after record {emitted})" if emitted else key,
        _reason_for(error),
        f"cannot read {where}: {error}",
    )


def _member_records(
    member, uri: str, name: str, limits: Limits, budget: DecompressionBudget
) -> Iterator[RawRecord | DeadLetter]:
    """The records of one archive member; its problems (other than the budget running out, which stops the
    whole archive) are its own dead letters, and the next member is read."""
    if name.lower().endswith(ARCHIVE_SUFFIXES):
        yield _problem(uri, name, "nested_archive", "an archive inside an archive is not read: extract it first")
        return
    emitted = 0
    try:
        stream = member if hasattr(member, "peek") else io.BufferedReader(member)
        stream = _decompressed(stream, name, budget)
        records = _records_from_stream(stream, uri, name, record_kind(name), limits, f"{name}:")
        for record in _at_least_one(records, uri, name, "archive member"):
            emitted += 1
            yield record
    except SizeLimitExceeded:
        raise
    except _READ_ERRORS as error:
        yield _rest_unreadable(uri, name, emitted, error)


def _archive_records(
    stream, uri: str, lowered: str, limits: Limits, budget: DecompressionBudget
) -> Iterator[RawRecord | DeadLetter]:
    if lowered.endswith(".zip"):
        if stream.seekable():
            archive = zipfile.ZipFile(stream)
        else:
            data = stream.read(budget.limit + 1)
            if len(data) > budget.limit:
                raise SizeLimitExceeded(
                    f"the zip file is larger than the --max-decompressed-bytes limit of {budget.limit:,}"
                )
            archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            if info.is_dir():
                continue
            left = budget.limit - budget.used
            if info.file_size > left:
                yield _problem(
                    uri,
                    info.filename,
                    "too_large",
                    f"member expands to {info.file_size:,} bytes, over the {left:,} bytes left of the "
                    f"--max-decompressed-bytes limit of {budget.limit:,}",
                )
                continue
            try:
                member = archive.open(info)
            except _READ_ERRORS as error:
                yield _problem(uri, info.filename, _reason_for(error), f"cannot open the archive member: {error}")
                continue
            with member:
                yield from _member_records(BoundedReader(member, budget), uri, info.filename, limits, budget)
        return
    # "r|", not "r|*": gzip and bzip2 were undone above, within the budget; tarfile must not decompress (an
    # xz stream, say) outside it.
    with tarfile.open(fileobj=_decompressed(stream, lowered, budget, archive=True), mode="r|") as archive:
        for member in archive:
            if member.isdir():
                continue
            if not member.isreg():
                kind = (
                    f"a symbolic link to {member.linkname!r}"
                    if member.issym()
                    else f"a hard link to {member.linkname!r}"
                    if member.islnk()
                    else "a device, FIFO or other special file"
                )
                yield _problem(uri, member.name, "not_a_file", f"archive member is {kind}: not followed")
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            yield from _member_records(handle, uri, member.name, limits, budget)
