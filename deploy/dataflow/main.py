"""Entry point of the Dataflow flex template (FLEX_TEMPLATE_PYTHON_PY_FILE in deploy/Dockerfile): `parley batch`.

Two ways in:

- **Flex-template launch.** Dataflow's launcher runs, with the template's parameters,
  `python main.py --runner=DataflowRunner --template_location=gs://.../job_object --input=... --output=... ...`.
  With `--template_location` Beam writes the job description there instead of submitting it, and Dataflow starts
  the job once this program has exited: Dataflow's flex-template guide asks that the program exit after calling
  run() and not call wait_until_finish(), which would block the launch. `parley batch` waits for the job and reads
  its metrics, so here the same graph is built with Parley's own functions (`parse_options`, `build_batch_pipeline`)
  and only run. `--since-manifest` is refused on this path: the manifest is written after a successful run, which a
  launcher that exits at submission never sees (the CronJob and the Airflow DAG in deploy/schedule/ use it).
- **Run directly** (`python deploy/dataflow/main.py --input ... --output ... [--runner DataflowRunner ...]`): exactly
  `parley batch` (it waits, checks the accounting, writes the manifest, and its exit code says so).

Pattern: GoogleCloudPlatform/python-docs-samples, dataflow/flex-templates/pipeline_with_dependencies/main.py (a thin
main.py over an installed package whose launcher calls `pipeline.run()` and returns).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

SINCE_MANIFEST = "--since-manifest"


def is_template_launch(argv: Sequence[str]) -> bool:
    """True when Dataflow's flex-template launcher runs us (it passes --template_location)."""
    from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions

    return bool(PipelineOptions(list(argv)).view_as(GoogleCloudOptions).template_location)


def launch_template(argv: Sequence[str]) -> int:
    """Build the `parley batch` graph and run it without waiting (the launcher submits the job)."""
    import apache_beam as beam
    from parley.pipelines.batch import UsageError, build_batch_pipeline, parse_options

    if any(arg == SINCE_MANIFEST or arg.startswith(SINCE_MANIFEST + "=") for arg in argv):
        print(
            f"parley flex template: error: {SINCE_MANIFEST} needs a launcher that waits for the job; "
            "run `parley batch` (deploy/schedule/) instead",
            file=sys.stderr,
        )
        return 2
    try:
        options = parse_options(argv)
    except UsageError as error:
        print(f"parley flex template: error: {error}", file=sys.stderr)
        return 2
    pipeline = beam.Pipeline(options=options)
    build_batch_pipeline(pipeline, options)
    pipeline.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if is_template_launch(argv):
        # The launcher's log is the only place a failed launch is explained: keep Beam's INFO lines.
        logging.basicConfig(level=logging.INFO)
        return launch_template(argv)
    from parley.cli import main as parley_main

    return parley_main(["batch", *argv])


if __name__ == "__main__":
    sys.exit(main())
