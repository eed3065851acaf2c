"""Process-wide settings for a Parley process or Beam worker: the C allocator and Python's garbage collector.

The CLI applies them before importing Beam and spaCy; `load_pipeline` applies them again in every worker
process (the ones a runner starts never run the CLI). All of them are measured on the 300-article benchmark.
"""

from __future__ import annotations

import gc
from functools import cache

# glibc malloc: serve allocations below 64 MiB from the heap and keep up to 256 MiB of freed heap. With the
# defaults, a Beam worker's mix of spaCy batch arrays and many small Python objects kept trimming the heap
# and faulting the pages back in: 645k page faults and 5 s of system time on the 300-article benchmark, against
# 100k and 1.7 s with these (the spaCy floor alone is unchanged). Peak RSS grew by about 5%.
_MMAP_THRESHOLD_BYTES = 64 << 20
_TRIM_THRESHOLD_BYTES = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameter numbers from glibc's malloc.h

# CPython collects its youngest generation after every 700 new container objects. A worker allocates millions
# of short-lived tuples and dicts (token columns, mentions, table rows) and keeps few: with the default, the
# 300-article benchmark ran 1,157 collections (8 of them full, walking the codebooks and the model) for 1.0 s;
# with 50,000, 10 collections for 0.14 s, at no measurable cost in peak RSS. Cycles are still collected.
_GC_THRESHOLDS = (50_000, 20, 100)


@cache
def tune_allocator() -> bool:
    """Apply the malloc thresholds above once per process; False where the C library is not glibc."""
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(
            libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
            and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
        )
    except (OSError, AttributeError):
        return False


@cache
def tune_garbage_collector() -> tuple[int, int, int]:
    """Raise the collector's thresholds once per process (never lower them); returns the thresholds in force."""
    current = gc.get_threshold()
    if current[0] and current[0] < _GC_THRESHOLDS[0]:  # 0: collection disabled by the embedding program
        gc.set_threshold(*_GC_THRESHOLDS)
    return gc.get_threshold()


def tune_process() -> None:
    tune_allocator()
    tune_garbage_collector()


def freeze_long_lived_objects() -> int:
    """Move every object the collector tracks now out of its sight (`gc.freeze`); returns how many are frozen.

    Called once the spaCy model and the coding engine are loaded: they, the imported modules and Beam's worker
    live as long as the process, yet every full collection (and the one at exit) walked them all, ~0.1 s each
    on a worker. Frozen objects are still freed by reference counting; only a cycle among them would stay.
    """
    gc.freeze()
    return gc.get_freeze_count()
