"""An in-memory object store registered as a Beam filesystem, `objstore://bucket/key`: the test double for gs://
and s3://, which cannot exist on a test machine.

It behaves as those stores do where Parley depends on it: keys are flat (no folders), an object appears only when
its upload is closed, a rename is a copy and a delete and takes a list (Beam's GCS filesystem sends 100 per
request), and every request waits `latency_seconds`. It records what a test needs to see: the renames of each
call, and the most uploads in flight at once. Importing this module registers the scheme (Beam finds every
FileSystem subclass); the objects live in this process, so runs that use it must run in-process.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from apache_beam.io.filesystem import BeamIOError, CompressedFile, CompressionTypes, FileMetadata, FileSystem

SCHEME = "objstore"
RENAMES_PER_REQUEST = 100


@dataclass
class ObjectStore:
    objects: dict[str, tuple[bytes, float]] = field(default_factory=dict)  # key -> (data, last modified)
    latency_seconds: float = 0.0
    fail_upload: Callable[[str], bool] = lambda _key: False
    fail_rename: Callable[[str], bool] = lambda _key: False
    rename_calls: list[int] = field(default_factory=list)  # renames asked for by each call
    uploads_in_flight: int = 0
    most_uploads_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, latency_seconds: float = 0.0) -> ObjectStore:
        """Empty, with no injected failures and fresh records (tests share the one store of the process)."""
        with self.lock:
            self.objects.clear()
            self.rename_calls.clear()
            self.uploads_in_flight = self.most_uploads_in_flight = 0
        self.latency_seconds = latency_seconds
        self.fail_upload = self.fail_rename = lambda _key: False
        return self

    def wait(self) -> None:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)

    def listing(self, prefix: str = "") -> list[str]:
        with self.lock:
            return sorted(key for key in self.objects if key.startswith(prefix))

    def contents(self) -> dict[str, bytes]:
        with self.lock:
            return {key: data for key, (data, _modified) in self.objects.items()}

    def get(self, key: str) -> bytes:
        with self.lock:
            return self.objects[key][0]

    def put(self, key: str, data: bytes, modified: float | None = None) -> None:
        with self.lock:
            self.objects[key] = (data, time.time() if modified is None else modified)

    def mirror(self, prefix: str, folder: Path) -> Path:
        """Copy the objects under `prefix` to files under `folder` (same relative names), for local readers."""
        for key in self.listing(prefix):
            target = folder / key[len(prefix) :].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.get(key))
        return folder


STORE = ObjectStore()


class _Upload(io.BytesIO):
    """An object being written: visible in the store only once closed, as a finished GCS or S3 upload."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        with STORE.lock:
            STORE.uploads_in_flight += 1
            STORE.most_uploads_in_flight = max(STORE.most_uploads_in_flight, STORE.uploads_in_flight)

    def close(self) -> None:
        if self.closed:
            return
        try:
            STORE.wait()
            if STORE.fail_upload(self.key):
                raise BeamIOError(f"upload of {self.key} failed (injected)")
            STORE.put(self.key, self.getvalue())
        finally:
            with STORE.lock:
                STORE.uploads_in_flight -= 1
            super().close()


class ObjectStoreFileSystem(FileSystem):
    @classmethod
    def scheme(cls) -> str:
        return SCHEME

    def join(self, basepath: str, *paths: str) -> str:
        return "/".join([basepath.rstrip("/"), *(p.strip("/") for p in paths)])

    def split(self, path: str) -> tuple[str, str]:
        head, _, tail = path.rstrip("/").rpartition("/")
        return head, tail

    def mkdirs(self, path: str) -> None:
        pass  # no folders in an object store

    def has_dirs(self) -> bool:
        return False

    def _list(self, dir_or_prefix: str):
        STORE.wait()
        with STORE.lock:
            listed = [(key, len(data), modified) for key, (data, modified) in STORE.objects.items()]
        for key, size, modified in sorted(listed):
            if key.startswith(dir_or_prefix):
                yield FileMetadata(key, size, modified)

    def create(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        if self._get_compression_type(path, compression_type) != CompressionTypes.UNCOMPRESSED:
            raise NotImplementedError("the test object store keeps what it is given: write uncompressed")
        return _Upload(path)

    def open(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        STORE.wait()
        try:
            raw = io.BytesIO(STORE.get(path))
        except KeyError:
            raise BeamIOError(f"{path} not found") from None
        compression = self._get_compression_type(path, compression_type)
        if compression == CompressionTypes.UNCOMPRESSED:
            return raw
        return CompressedFile(raw, compression_type=compression)

    def copy(self, source_file_names, destination_file_names) -> None:
        for source, destination in zip(source_file_names, destination_file_names, strict=True):
            STORE.put(destination, STORE.get(source))

    def rename(self, source_file_names, destination_file_names) -> None:
        STORE.rename_calls.append(len(source_file_names))
        failures = {}
        pairs = list(zip(source_file_names, destination_file_names, strict=True))
        for start in range(0, len(pairs), RENAMES_PER_REQUEST):
            STORE.wait()  # one copy request and one delete request per batch, as GCS
            STORE.wait()
            for source, destination in pairs[start : start + RENAMES_PER_REQUEST]:
                with STORE.lock:
                    moved = None if STORE.fail_rename(destination) else STORE.objects.pop(source, None)
                if moved is None:
                    failures[(source, destination)] = BeamIOError(f"rename of {source} failed")
                    continue
                STORE.put(destination, moved[0])
        if failures:
            raise BeamIOError("Rename operation failed", failures)

    def exists(self, path: str) -> bool:
        STORE.wait()
        with STORE.lock:
            return path in STORE.objects

    def size(self, path: str) -> int:
        return len(STORE.get(path))

    def last_updated(self, path: str) -> float:
        with STORE.lock:
            return STORE.objects[path][1]

    def checksum(self, path: str) -> str:
        return str(hash(STORE.get(path)))

    def metadata(self, path: str) -> FileMetadata:
        with STORE.lock:
            data, modified = STORE.objects[path]
        return FileMetadata(path, len(data), modified)

    def delete(self, paths) -> None:
        STORE.wait()
        with STORE.lock:
            for path in paths:
                STORE.objects.pop(path, None)
