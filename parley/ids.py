"""Content-hash ids: the same content always yields the same id, so re-runs and retries are idempotent."""

from __future__ import annotations

import hashlib


def content_id(*parts: object) -> str:
    """A 24-hex-character id from the given parts (None and '' hash differently from each other)."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        token = "\x00" if part is None else str(part)
        digest.update(token.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def stable_bucket(key: str, buckets: int) -> int:
    """A process-independent bucket for `key` (Python's hash() is salted per process)."""
    if buckets <= 1:
        return 0
    return (
        int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") % buckets
    )
