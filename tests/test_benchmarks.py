"""The throughput benchmark (`make bench`) runs end to end on a few articles and reports what it measured."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

from .conftest import REPO, load_module, shared_file

SCRIPT = REPO / "benchmarks" / "throughput.py"


def test_throughput_benchmark_reports_wall_and_cpu_time_of_every_round(tmp_path):
    corpus = shared_file("corpora", "allsides_intl_2012_2020.jsonl.gz")
    script = load_module("throughput_benchmark", SCRIPT)  # for its run names
    report = tmp_path / "throughput.json"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--corpus", str(corpus), "--articles", "3", "--repeat", "2", "--skip-2x", "--json", str(report)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    payload = json.loads(report.read_text())
    assert payload["articles"] == 3
    assert set(payload["rounds"]) == {script.RAW, script.IN_PROCESS, script.TWO_PROCESSES}
    for name, rounds in payload["rounds"].items():
        assert len(rounds) == 2, name
        for measured in rounds:
            assert measured["seconds"] > 0 and measured["cpu_seconds"] > 0, (name, measured)
            assert 0 < measured["rss_mib"] < 4096, (name, measured)
    assert payload["rounds"][script.RAW][0]["paragraphs"] > 0
    for raw in payload["rounds"][script.RAW]:
        assert 0 < raw["pipe_seconds"] < raw["seconds"]
    for measured in payload["rounds"][script.IN_PROCESS]:
        # The spaCy handler runs on one thread of run 2's process: its CPU time is part of the process's.
        assert 0 < measured["inference_cpu_seconds"] <= measured["cpu_seconds"]
        assert 0 < measured["inference_seconds"] < measured["seconds"]
        assert 0 < measured["compact_seconds"] < measured["inference_seconds"]
    assert all(value > 0 for value in payload["ratios"].values())
    within = payload["within_run_ratios"]
    assert len(within) == 2 and all(0 < value < 2 for value in within)
    assert math.isclose(payload["within_run_median"], sum(within) / 2)  # the median of two rounds
    for line in (
        "2/1 in each round",
        "2/1, median of the rounds",
        "2/1 in CPU seconds, each round",
        "2/1 with spaCy timed inside run 2, each round",
        "2/1 with spaCy timed inside run 2, median (target >= 0.85)",
        "run 2: seconds making folders and files, each round",
        "disk probe before run 2",
    ):
        assert line in done.stdout


def test_remote_writes_benchmark_writes_the_same_files_both_ways():
    # The script checks that both ways leave exactly the expected objects in the store; this runs it small.
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "remote_writes.py"), "--files", "30", "--latency-ms", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "30 files to an object store, 1 ms per request"
    assert [line.split()[0] for line in lines[1:]] == ["one", "one", "ratio"]
    measured = [re.search(r"(\d+\.\d+) ?[sx]$", line) for line in lines[1:]]
    assert all(match and float(match.group(1)) > 0 for match in measured), lines
