"""The batch pipeline through PortableRunner: a local job service and EXTERNAL SDK workers from Beam's worker
pool, the wiring Flink on Kubernetes uses with the Beam worker-pool sidecar. Same rows as DirectRunner.

The job service and the worker pool run in a scratch folder, so everything a worker needs (codebooks, schemas,
the spaCy model) has to come from the installed package, not from the repository as working directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from parley.pipelines.batch import run
from parley.schemas import TABLES

from .conftest import SAMPLES
from .tables import comparable, parquet_rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture
def portable_services(tmp_path):
    scratch = tmp_path / "services"
    scratch.mkdir()
    # The pool starts workers as `python -c ...`: that must be this environment's Python.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    job_port, pool_port = free_port(), free_port()
    logs = [open(scratch / "job.log", "w"), open(scratch / "pool.log", "w")]  # noqa: SIM115 - closed below
    job = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main", "--port", str(job_port)],
        cwd=scratch,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    pool = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", "--service_port", str(pool_port)],
        cwd=scratch,
        env=env,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(job_port, job)
        wait_for_port(pool_port, pool)
        yield job_port, pool_port, scratch
    finally:
        for process in (job, pool):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


@pytest.mark.slow
def test_portable_runner_with_external_workers_gives_the_same_rows(tmp_path, portable_services):
    job_port, pool_port, scratch = portable_services
    direct = run(["--input", str(SAMPLES), "--output", str(tmp_path / "direct")])
    portable = run(
        [
            "--input",
            str(SAMPLES),
            "--output",
            str(tmp_path / "portable"),
            "--runner",
            "PortableRunner",
            "--job_endpoint",
            f"localhost:{job_port}",
            "--environment_type",
            "EXTERNAL",
            "--environment_config",
            f"localhost:{pool_port}",
        ]
    )
    assert portable.balanced and portable.count("rows_articles") == direct.count("rows_articles") == 6
    # The workers really ran in the pool: it started at least one SDK harness.
    assert "Starting worker" in (scratch / "pool.log").read_text()
    for table in TABLES:
        if table == "dead_letters":
            continue
        assert comparable(parquet_rows(tmp_path / "portable", table), table) == comparable(
            parquet_rows(tmp_path / "direct", table), table
        ), table
