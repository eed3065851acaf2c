"""Incremental archive runs: a manifest of the input files already processed (`parley batch --since-manifest`).

A nightly job over a growing archive lists the inputs, skips every file whose path and content hash are in
the manifest, codes the rest, and only after the run succeeded records them. A run that fails records
nothing, so it is simply run again. The manifest is a JSON file (local or on a Beam filesystem), written
atomically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from parley.storage import (
    InputFile,
    InputProblem,
    expand_input,
    is_local,
    local_path,
    mask_credentials,
    open_binary,
    write_atomic,
)

VERSION = 1


@dataclass(frozen=True, slots=True)
class Selection:
    new_files: list[InputFile]
    hashes: dict[str, str]  # path -> sha256 of the new files
    skipped: int
    problems: list[InputProblem]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open_binary(path) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def modification_stamp(path: str) -> int | None:
    """The file's modification time in nanoseconds (local files), for skipping the hash of unchanged files."""
    if not is_local(path):
        return None
    try:
        import os

        return os.stat(local_path(path)).st_mtime_ns
    except OSError:
        return None


def load_manifest(path: str) -> dict:
    try:
        if is_local(path):
            with open(local_path(path), encoding="utf-8") as handle:
                data = json.load(handle)
        else:
            with open_binary(path) as handle:
                data = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        return {"version": VERSION, "files": {}}
    except (OSError, ValueError) as error:
        if "No such file" in str(error) or "Not found" in str(error):
            return {"version": VERSION, "files": {}}
        raise ValueError(f"manifest {path} is unreadable ({error}); move it away to start over") from error
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise ValueError(f"manifest {path} is not a Parley manifest (no 'files' mapping)")
    return data


def select_new_inputs(patterns: list[str], manifest: dict) -> Selection:
    """The input files not yet processed with their current content; problems are passed on unchanged."""
    known = manifest.get("files", {})
    new_files, problems, hashes = [], [], {}
    skipped = 0
    for pattern in patterns:
        for found in expand_input(pattern):
            if isinstance(found, InputProblem):
                problems.append(found)
                continue
            # Files are known by their path with any credentials masked: the manifest never stores a secret.
            entry = known.get(mask_credentials(found.path), {})
            stamp = modification_stamp(found.path)
            if (
                entry.get("sha256")
                and stamp is not None
                and entry.get("size") == found.size
                and entry.get("mtime") == stamp
            ):
                # Same path, size and modification time as when hashed: no need to read a big archive again.
                skipped += 1
                continue
            try:
                digest = file_sha256(found.path)
            except OSError as error:
                problems.append(InputProblem(found.path, "unreadable", f"cannot read {found.path}: {error}"))
                continue
            if entry.get("sha256") == digest:
                skipped += 1
                continue
            if found.path not in hashes:
                new_files.append(found)
                hashes[found.path] = digest
    return Selection(new_files, hashes, skipped, problems)


def record_processed(path: str, manifest: dict, selection: Selection) -> None:
    """Add the run's files to the manifest (call only after the run succeeded)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    files = dict(manifest.get("files", {}))
    for input_file in selection.new_files:
        files[mask_credentials(input_file.path)] = {
            "sha256": selection.hashes[input_file.path],
            "size": input_file.size,
            "mtime": modification_stamp(input_file.path),
            "processed_at": now,
        }
    payload = {"version": VERSION, "files": dict(sorted(files.items()))}
    write_atomic(path, json.dumps(payload, indent=1).encode("utf-8"))
