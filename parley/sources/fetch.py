"""Bounded HTTP fetching for feeds and linked pages: http/https only, a few redirects, a byte cap, a deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "Parley/0.1 (+https://github.com/parley; news event coder)"


class FetchError(RuntimeError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    content_type: str


def fetch(url: str, timeout: float = 10.0, max_bytes: int = 5_000_000, max_redirects: int = 5) -> Fetched:
    """GET a URL within `timeout` seconds in all, following at most `max_redirects` http(s) redirects."""
    import requests

    deadline = time.monotonic() + timeout
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    current = url
    for _ in range(max_redirects + 1):
        scheme = urlsplit(current).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise FetchError("bad_url", f"refusing to fetch {current!r}: only http and https are allowed")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"no answer from {url} within {timeout:g} s")
        try:
            response = session.get(
                current, timeout=(min(remaining, 5.0), remaining), stream=True, allow_redirects=False
            )
        except requests.Timeout:
            raise FetchError("timeout", f"no answer from {current} within {timeout:g} s") from None
        except requests.RequestException as error:
            raise FetchError("unreachable", f"cannot fetch {current}: {type(error).__name__}") from None
        with response:
            if response.is_redirect:
                current = urljoin(current, response.headers.get("Location", ""))
                continue
            if response.status_code >= 400:
                raise FetchError("http_error", f"{current} answered HTTP {response.status_code}")
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError("too_large", f"{current} is larger than {max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", f"{current} did not finish within {timeout:g} s")
                    chunks.append(chunk)
            except requests.RequestException:
                raise FetchError("timeout", f"{current} stalled within {timeout:g} s") from None
            return Fetched(current, b"".join(chunks), response.headers.get("Content-Type", ""))
    raise FetchError("too_many_redirects", f"{url} redirected more than {max_redirects} times")
