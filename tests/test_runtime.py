"""Process-wide tuning (parley/runtime.py), each checked in a fresh interpreter: the settings are per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def run_python(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_collector_thresholds_are_raised_but_never_lowered_nor_enabled():
    found = run_python(
        """
        import gc, json
        from parley import runtime
        default = list(runtime.tune_garbage_collector())
        runtime.tune_garbage_collector.cache_clear()
        gc.set_threshold(200_000, 5, 5)
        higher = list(runtime.tune_garbage_collector())
        runtime.tune_garbage_collector.cache_clear()
        gc.set_threshold(0)
        disabled = list(runtime.tune_garbage_collector())
        print(json.dumps({"default": default, "higher": higher, "disabled": disabled}))
        """
    )
    assert found["default"] == [50_000, 20, 100]
    assert found["higher"] == [200_000, 5, 5]
    assert found["disabled"][0] == 0


def test_the_cli_tunes_the_process_before_beam_is_imported():
    found = run_python(
        """
        import gc, json, sys
        from parley.cli import main
        code = main(["no-such-command"])
        print(json.dumps({"code": code, "threshold": gc.get_threshold()[0], "beam": "apache_beam" in sys.modules}))
        """
    )
    assert found == {"code": 2, "threshold": 50_000, "beam": False}


def test_frozen_objects_leave_full_collections_but_are_still_freed_when_unreferenced():
    found = run_python(
        """
        import gc, json, weakref
        from parley.runtime import freeze_long_lived_objects

        class Model:
            pass

        model = Model()
        alive = weakref.ref(model)
        before = len(gc.get_objects())
        frozen = freeze_long_lived_objects()
        after = len(gc.get_objects())
        del model
        print(json.dumps({"frozen": frozen, "before": before, "after": after, "freed": alive() is None}))
        """
    )
    assert found["frozen"] > 1000  # the interpreter's and Parley's own objects
    assert found["after"] < found["before"] - 1000  # no longer walked by the collector
    assert found["freed"]


def test_loading_the_coding_engine_freezes_it():
    found = run_python(
        """
        import gc, json
        from parley.engine import coding_engine
        engine = coding_engine()
        tracked = any(o is engine for o in gc.get_objects())
        print(json.dumps({"engine_tracked": tracked, "frozen": gc.get_freeze_count()}))
        """
    )
    assert found["frozen"] > 0
    assert not found["engine_tracked"]
