"""Airflow DAG: nightly `parley batch --since-manifest` over a growing archive, on Dataflow (Airflow 2.4+ or 3).

Put this file in the DAGs folder of an Airflow whose workers have Parley installed (`pip install` of this repository
into the workers' environment), set the params below (or per run in the UI), and enable the DAG. The task runs the
`parley` console script, which submits the job to Dataflow with Parley's custom container and waits for it.

Why BashOperator and not apache-airflow-providers-apache-beam's BeamRunPythonPipelineOperator: that operator runs a
`py_file` (deploy/dataflow/main.py would do), but with the DataflowRunner its hook stops following the process as
soon as a Dataflow job id appears in the output and then polls the job instead (providers/apache/beam: hooks/beam.py
`run_beam_command` returns on `is_dataflow_job_id_exist_callback`; operators/beam.py `execute_on_dataflow` then calls
`DataflowHook.wait_for_done`). The process's exit code, the accounting check Parley prints at the end and
`--since-manifest`, which records the run's files after the job succeeded, all happen after that point, in a
process nobody waits for. `parley batch` run by BashOperator keeps all three: the task succeeds only if the job
finished, every record was accounted for and the manifest was written. What the Beam operator would add (a job link
in the UI, cancelling the Dataflow job when the task is killed) is not worth losing the manifest.
Without Parley on the Airflow workers, run the same command in Parley's image with KubernetesPodOperator, or let the
Kubernetes CronJob (deploy/schedule/cronjob.yaml) do it.
"""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta, timezone

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.4+
    from airflow import DAG
    from airflow.operators.bash import BashOperator

# The command, one argument per item (Jinja fills the params in at run time; shlex quotes each argument, so the
# archive glob reaches Parley unexpanded).
PARLEY_BATCH = [
    "parley",
    "batch",
    "--input",
    "{{ params.archive }}",
    "--output",
    "{{ params.tables }}",
    "--since-manifest",
    "{{ params.tables }}/_manifest.json",
    "--runner",
    "DataflowRunner",
    "--project",
    "{{ params.project }}",
    "--region",
    "{{ params.region }}",
    "--temp_location",
    "{{ params.temp_location }}",
    "--sdk_container_image",
    "{{ params.image }}",
    "--job_name",
    "parley-nightly-{{ ds_nodash }}",
    "--max_num_workers",
    "{{ params.max_workers }}",
    "--quiet",
]

with DAG(
    dag_id="parley_nightly",
    description="Code the articles added to the archive since the last successful run (parley batch --since-manifest)",
    schedule="30 2 * * *",
    # timezone.utc rather than datetime.UTC: Airflow's workers may run a Python older than 3.11.
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),  # noqa: UP017
    catchup=False,  # the manifest, not the logical date, decides what is new: one run catches up on everything
    max_active_runs=1,  # two runs at once would both code the same new files
    params={
        "archive": "gs://example-parley-bucket/archive/**",
        "tables": "gs://example-parley-bucket/tables",
        "project": "example-project",
        "region": "europe-west1",
        "temp_location": "gs://example-parley-bucket/tmp",
        "image": "europe-west1-docker.pkg.dev/example-project/parley/parley-beam:0.1.0",
        "max_workers": 10,
    },
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["parley", "dataflow"],
) as dag:
    BashOperator(
        task_id="parley_batch",
        bash_command=" ".join(shlex.quote(argument) for argument in PARLEY_BATCH),
        env={"PARLEY_LOG_LEVEL": "INFO"},
        append_env=True,
        execution_timeout=timedelta(hours=8),
    )
