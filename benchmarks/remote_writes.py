"""Writing table files to an object store (gs://, s3://): one file at a time against a table writer's file group.

    python benchmarks/remote_writes.py [--files 2320] [--latency-ms 20]

Both write the same files atomically (a hidden temporary, then a rename) to the in-process object store of
tests/objectstore.py, whose every request waits --latency-ms, the order of a GCS or S3 request from a worker in the
same region. `write_atomic` per file waits for an upload, a copy and a delete one after another; an AtomicFileGroup
(what the table writer uses for a bundle) uploads REMOTE_UPLOAD_THREADS files at a time and renames them all with
one call, sent as one copy and one delete request per 100 files. The default is the 300-article benchmark's 2,320
files; a bundle on a cluster holds fewer. Prints both times and their ratio: the latency is modelled, the ratio is
what to read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley.storage import REMOTE_UPLOAD_THREADS, AtomicFileGroup, write_atomic
from tests.objectstore import STORE  # importing it registers the objstore:// filesystem with Beam


def files(count: int) -> dict[str, bytes]:
    folder = "objstore://bucket/out/parquet"
    return {f"{folder}/t{i % 6}/dt=2020-{i % 12 + 1:02d}-01/part-{i:05d}.parquet": b"x" * 2048 for i in range(count)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2320)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    expected = files(args.files)

    STORE.reset(args.latency_ms / 1000)
    start = time.perf_counter()
    for path, data in expected.items():
        write_atomic(path, data)
    one_at_a_time = time.perf_counter() - start
    assert STORE.contents() == expected

    STORE.reset(args.latency_ms / 1000)
    start = time.perf_counter()
    group = AtomicFileGroup()
    for path, data in expected.items():
        group.add(path, data)
    group.commit()
    grouped = time.perf_counter() - start
    assert STORE.contents() == expected

    print(f"{args.files} files to an object store, {args.latency_ms:g} ms per request")
    print(f"  {'one at a time (write_atomic)':<56} {one_at_a_time:8.2f} s")
    print(f"  {f'one file group ({REMOTE_UPLOAD_THREADS} upload threads, batched renames)':<56} {grouped:8.2f} s")
    print(f"  {'ratio':<56} {one_at_a_time / grouped:8.1f}x")


if __name__ == "__main__":
    main()
