"""Small JSON state files for sources (seen feed entries, processed files), written atomically.

They live under OUTPUT/_state/, a folder readers of the tables skip (names starting with '_' are ignored by
Spark, pyarrow.dataset and Hive-style globs).
"""

from __future__ import annotations

import hashlib
import json
import os

from parley.storage import join, write_atomic


def state_path(state_folder: str, kind: str, key: str) -> str:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
    return join(state_folder, f"{kind}-{digest}.json")


def load_state(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise RuntimeError(f"source state {path} is unreadable ({error}); move it away to start over") from error


def save_state(path: str, state: dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomic(path, json.dumps(state, sort_keys=True).encode("utf-8"))
