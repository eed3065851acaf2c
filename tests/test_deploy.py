"""deploy/ stays correct without Docker, a cluster or a cloud project.

Every manifest parses and names valid Kubernetes objects; the pieces point at each other (the Flink sidecar's port is
the job's --environment_config, the image is the one the Dockerfile builds, the versions agree with Beam's); the
scripts pass `bash -n` (and shellcheck where it is installed); the Airflow DAG compiles without Airflow; and every
`--option` a deploy file passes to Parley is an option `parley batch` accepts (Parley's own or Beam's): Beam only
warns about an unknown option and goes on, so a misspelt limit or runner flag would otherwise fail silently on a
cluster. The flex template's main.py and flink/submit.sh are also run for real on the sample articles, the latter
through Beam's Python job service and worker pool: the EXTERNAL-environment wiring a Flink TaskManager uses.
"""

from __future__ import annotations

import ast
import json
import os
import py_compile
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, SAMPLES, load_module

DEPLOY = REPO / "deploy"
FLINK_DEPLOYMENT = DEPLOY / "flink" / "flinkdeployment.yaml"
JOB_SERVER = DEPLOY / "flink" / "beam-jobserver.yaml"
SUBMIT = DEPLOY / "flink" / "submit.sh"
CRONJOB = DEPLOY / "schedule" / "cronjob.yaml"
DAG = DEPLOY / "schedule" / "airflow_dag.py"
METADATA = DEPLOY / "dataflow" / "metadata.json"
LAUNCH = DEPLOY / "dataflow" / "launch.sh"
FLEX_MAIN = DEPLOY / "dataflow" / "main.py"
DOCKERFILE = DEPLOY / "Dockerfile"

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# A Docker image reference: registry[:port]/path[:tag][@digest], all lower case.
IMAGE_REF = re.compile(
    r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)


def deploy_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def yaml_files() -> list[Path]:
    return [p for p in deploy_files() if p.suffix in (".yaml", ".yml")]


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def only(path: Path, kind: str) -> dict:
    found = [d for d in documents(path) if d.get("kind") == kind]
    assert len(found) == 1, f"{path.name}: expected one {kind}, found {len(found)}"
    return found[0]


def containers(node) -> Iterator[dict]:
    """Every container spec below `node` (any `containers` list of a pod spec or pod template)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (c for c in value if isinstance(c, dict))
            else:
                yield from containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from containers(item)


def quantity(text: str | int) -> float:
    """A Kubernetes quantity ("3Gi", "500m", "2") as a number (bytes or cores)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text))
    assert match, f"not a quantity: {text!r}"
    return float(match.group(1)) * units.get(match.group(2), 1)


def shell_default(script: Path, variable: str) -> str:
    """The default of `VAR="${VAR:-default}"` in a shell script."""
    match = re.search(rf'^{variable}="\$\{{{variable}:-([^}}]*)\}}"$', script.read_text(encoding="utf-8"), re.M)
    assert match, f"{script.name} sets no default for {variable}"
    return match.group(1)


# ---------------------------------------------------------------------------------------------------------------
# Which options `parley batch` accepts: Parley's ParleyOptions plus every PipelineOptions subclass Beam defines,
# registered on one parser the way PipelineOptions.get_all_options() builds its own.


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def option_strings(command: str = "batch") -> frozenset[str]:
    import apache_beam.runners.portability.flink_runner  # noqa: F401  (imports every runner's options)
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser
    from parley.pipelines.options import ParleyOptions
    from parley.pipelines.stream import StreamOptions

    parser = _BeamArgumentParser(allow_abbrev=False, conflict_handler="resolve")
    # Only Beam's own classes: options classes defined by other tests must not widen what counts as known.
    for cls in {c for c in _subclasses(PipelineOptions) if c.__module__.startswith("apache_beam.")}:
        cls._add_argparse_args(parser)
    ParleyOptions._add_argparse_args(parser)
    if command == "stream":
        StreamOptions._add_argparse_args(parser)
    return frozenset(s for action in parser._actions for s in action.option_strings)


def batch_parser():
    from apache_beam.options.pipeline_options import _BeamArgumentParser
    from parley.pipelines.options import ParleyOptions

    parser = _BeamArgumentParser(allow_abbrev=False)
    ParleyOptions._add_argparse_args(parser)
    return parser


# ---------------------------------------------------------------------------------------------------------------
# Which options each deploy file passes to Parley.

# `parley batch ...`, or the flex template's main.py (which takes the same options).
ANCHOR = re.compile(r"\bparley batch\b|\bmain\.py\b")
OPTION = re.compile(r"(?<![\w-])--([A-Za-z][\w-]*)")
ARRAY = re.compile(r"\bparley_args\+?=\((.*?)\)", re.S)  # submit.sh collects its parley batch options in parley_args
GCLOUD_PARAMETER = re.compile(r"""--parameters[= ]["']?([A-Za-z_][\w-]*)=""")


def logical_lines(text: str) -> list[str]:
    """Lines with shell continuations (a trailing backslash) joined."""
    return re.sub(r"\\\n", " ", text).splitlines()


def command_options(text: str) -> set[str]:
    """Options on the text after each `parley batch` / `main.py`, to the end of its command (line, `;`, `|`, `#`)."""
    found = set()
    for line in logical_lines(text):
        for anchor in ANCHOR.finditer(line):
            command = re.split(r"\s#|;|\|\||&&|\|", line[anchor.end() :])[0]
            found |= set(OPTION.findall(command))
    return found


def python_options(source: str) -> set[str]:
    """Options in a Python file: commands in its strings and comments, and argument lists ["parley", "batch", ...]."""
    found = command_options(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.List | ast.Tuple) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            items = [e.value for e in node.elts]
            if items[:2] == ["parley", "batch"]:
                found |= {item[2:].split("=", 1)[0] for item in items if item.startswith("--")}
    return found


def yaml_options(path: Path) -> set[str]:
    """Options of containers that run `parley batch`, plus commands written in the file's comments."""
    found = command_options(path.read_text(encoding="utf-8"))
    for document in documents(path):
        for container in containers(document):
            tokens = [str(t) for t in (container.get("command") or []) + (container.get("args") or [])]
            if any(Path(t).name == "parley" for t in tokens) and "batch" in tokens:
                rest = tokens[tokens.index("batch") + 1 :]
                found |= {t[2:].split("=", 1)[0] for t in rest if t.startswith("--")}
    return found


def options_passed_to_parley(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return {parameter["name"] for parameter in json.loads(text).get("parameters", [])}
    if path.suffix in (".yaml", ".yml"):
        return yaml_options(path)
    if path.suffix == ".py":
        return python_options(text)
    found = command_options(text)
    if path.suffix == ".sh":
        for body in ARRAY.findall(text):
            found |= set(OPTION.findall(body))
        found |= set(GCLOUD_PARAMETER.findall(text))  # flex-template parameters become main.py's --options
    return found


def test_every_option_a_deploy_file_passes_to_parley_is_an_option_of_parley_batch():
    known = option_strings("batch")
    unknown = {}
    collected = {}
    for path in deploy_files():
        if path.name.endswith(".dockerignore"):
            continue
        options = options_passed_to_parley(path)
        collected[path.relative_to(DEPLOY).as_posix()] = options
        bad = sorted(o for o in options if f"--{o}" not in known)
        if bad:
            unknown[path.relative_to(DEPLOY).as_posix()] = bad
    assert not unknown, f"options `parley batch` does not accept (Beam would ignore them): {unknown}"
    # The extraction must find the commands, or the check above passes for nothing.
    expected = {
        "schedule/cronjob.yaml": {"input", "output", "since-manifest", "direct_num_workers", "direct_running_mode"},
        "schedule/airflow_dag.py": {"input", "output", "since-manifest", "runner", "sdk_container_image"},
        "flink/submit.sh": {"input", "output", "runner", "flink_master", "flink_submit_uber_jar", "job_endpoint"}
        | {"environment_type", "environment_config", "sdk_worker_parallelism", "since-manifest"},
        "dataflow/metadata.json": {"input", "output", "max-article-bytes", "fallback-encoding"},
        "dataflow/launch.sh": {"input", "output", "sdk_container_image", "max-article-bytes"},
        "dataflow/main.py": {"input", "output", "runner", "template_location"},
        "README.md": {"input", "output", "since-manifest", "runner", "sdk_container_image"},
        "flink/README.md": {"environment_type"},
    }
    for name, options in expected.items():
        assert options <= collected[name], f"{name}: found {sorted(collected[name])}, expected {sorted(options)}"


def test_the_option_check_rejects_what_parley_would_ignore():
    known = option_strings("batch")
    for good in ("--input", "--max-article-bytes", "--since-manifest", "--environment_config", "--flink_master"):
        assert good in known
    # A misspelt limit, the underscore spelling of a Parley option, a stream-only option, the SDK container's own flag.
    for bad in ("--max-article-byte", "--since_manifest", "--source", "--worker_pool"):
        assert bad not in known
    assert "--source" in option_strings("stream")
    text = "x && parley batch --input a \\\n  --output b # --not-this\n--nor-this"
    assert command_options(text) == {"input", "output"}


# ---------------------------------------------------------------------------------------------------------------
# Manifests


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_every_yaml_parses_and_names_valid_objects(path):
    docs = documents(path)
    assert docs, f"{path} holds no document"
    if path.name == "cloudbuild.yaml":
        assert docs[0]["steps"] and "deploy/Dockerfile" in docs[0]["steps"][0]["args"]
        return
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), f"{path.name}: a document without apiVersion/kind"
        name = doc["metadata"]["name"]
        assert DNS_LABEL.match(name) and len(name) <= 52, f"{path.name}: invalid name {name!r}"
        for container in containers(doc):
            assert DNS_LABEL.match(container["name"]), container["name"]
            if "image" in container:
                assert IMAGE_REF.match(container["image"]), f"{path.name}: invalid image {container['image']!r}"
            for port in container.get("ports", []):
                assert 0 < port["containerPort"] < 65536
                assert len(port.get("name", "")) <= 15


def parley_image() -> str:
    return next(c["image"] for c in containers(only(CRONJOB, "CronJob")) if c["name"] == "parley")


def test_flinkdeployment_is_a_session_cluster_with_the_beam_worker_pool_sidecar():
    deployment = only(FLINK_DEPLOYMENT, "FlinkDeployment")
    assert deployment["apiVersion"] == "flink.apache.org/v1beta1"
    spec = deployment["spec"]
    assert "job" not in spec, "a session cluster has no spec.job: jobs are submitted by submit.sh"
    pod = spec["taskManager"]["podTemplate"]["spec"]
    names = [c["name"] for c in pod["containers"]]
    assert "flink-main-container" in names, "the operator merges its main container by this exact name"
    sidecar = next(c for c in pod["containers"] if c["name"] != "flink-main-container")
    assert sidecar["args"] == ["--worker_pool"], "the SDK image's boot serves the worker pool with this flag"
    assert sidecar["image"] == parley_image(), "the sidecar must run Parley's image, not the stock Beam SDK image"
    ports = [p["containerPort"] for p in sidecar["ports"]]
    assert ports == [50000]

    # The job options point at the sidecar: EXTERNAL environment at localhost:<the sidecar's port>.
    submit = SUBMIT.read_text(encoding="utf-8")
    assert re.search(r"--environment_type EXTERNAL\b", submit)
    assert '--environment_config "${WORKER_POOL}"' in submit
    assert shell_default(SUBMIT, "WORKER_POOL") == f"localhost:{ports[0]}"

    # Flink versions agree: the cluster's, the one submit.sh asks Beam for, and one Beam 2.77 publishes a runner for.
    from apache_beam.options.pipeline_options import FlinkRunnerOptions

    flink_version = shell_default(SUBMIT, "FLINK_VERSION")
    assert flink_version in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    assert spec["flinkVersion"] == "v" + flink_version.replace(".", "_")
    assert spec["image"].split(":")[1].startswith(flink_version)

    # One Python SDK worker per slot, ~1 GiB each, in the sidecar's memory request.
    slots = int(spec["flinkConfiguration"]["taskmanager.numberOfTaskSlots"])
    workers = int(shell_default(SUBMIT, "SDK_WORKERS"))
    assert slots == workers
    assert quantity(sidecar["resources"]["requests"]["memory"]) >= workers * 2**30
    assert int(shell_default(SUBMIT, "PARALLELISM")) <= slots * spec["taskManager"]["replicas"]

    # submit.sh port-forwards the operator's REST Service, named <deployment>-rest.
    assert shell_default(SUBMIT, "CLUSTER") == deployment["metadata"]["name"]
    assert 'port_forward "${CLUSTER}-rest" 8081' in submit


def test_beam_job_server_points_at_the_flink_cluster():
    import apache_beam

    flink_name = only(FLINK_DEPLOYMENT, "FlinkDeployment")["metadata"]["name"]
    server = only(JOB_SERVER, "Deployment")
    (container,) = list(containers(server))
    flink_version = shell_default(SUBMIT, "FLINK_VERSION")
    assert container["image"] == f"apache/beam_flink{flink_version}_job_server:{apache_beam.__version__}"
    assert f"--flink-master={flink_name}-rest:8081" in container["args"]
    assert "--job-host=0.0.0.0" in container["args"], "the driver binds to localhost unless told otherwise"
    assert any(a.startswith("--artifacts-dir=gs://") for a in container["args"]), "TaskManagers must read artifacts"
    service = only(JOB_SERVER, "Service")
    assert service["spec"]["selector"] == server["spec"]["template"]["metadata"]["labels"]
    assert {p["port"] for p in service["spec"]["ports"]} >= {8099, 8098}
    assert "port_forward parley-beam-jobserver 8099 8098" in SUBMIT.read_text(encoding="utf-8")
    assert service["metadata"]["name"] == "parley-beam-jobserver"


CRON_FIELDS = [  # (lowest, highest, names from their first value) for minute, hour, day of month, month, day of week
    (0, 59, []),
    (0, 23, []),
    (1, 31, []),
    (1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
    (0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
]


def valid_cron(expression: str) -> bool:
    """A standard 5-field cron expression (as Kubernetes CronJob and Airflow read it)."""
    fields = expression.split()
    if len(fields) != 5:
        return False
    for field, (low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for item in field.split(","):
            match = re.fullmatch(r"(?:\*|(\w+)(?:-(\w+))?)(?:/(\d+))?", item)
            if not match or match.group(3) == "0" or (match.group(3) and match.group(3).startswith("0")):
                return False
            bounds = []
            for value in (match.group(1), match.group(2)):
                if value is None:
                    continue
                if value.isdigit():
                    number = int(value)
                elif value.upper() in names:
                    number = names.index(value.upper()) + low
                else:
                    return False
                if not low <= number <= high:
                    return False
                bounds.append(number)
            if len(bounds) == 2 and bounds[0] > bounds[1]:
                return False
    return True


def test_cron_validator():
    for good in ("30 2 * * *", "*/15 * * * *", "0 0 1,15 * MON-FRI", "0 3 * JAN,JUL 0", "5 4 * * 7"):
        assert valid_cron(good), good
    bad_ones = ("30 2 * *", "60 2 * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "* * * * 8", "*/0 * * * *")
    for bad in (*bad_ones, "5-1 * * * *", "@daily"):
        assert not valid_cron(bad), bad


def test_cronjob_runs_parley_batch_nightly_with_the_manifest():
    cronjob = only(CRONJOB, "CronJob")
    spec = cronjob["spec"]
    assert valid_cron(spec["schedule"]), spec["schedule"]
    assert spec["concurrencyPolicy"] == "Forbid"
    job = spec["jobTemplate"]["spec"]
    assert isinstance(job["backoffLimit"], int) and 0 <= job["backoffLimit"] <= 6
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    (container,) = pod["containers"]
    command = container["command"] + container["args"]
    assert command[:2] == ["parley", "batch"], command

    # The arguments parse as `parley batch` would parse them, with nothing left over.
    arguments, unknown = batch_parser().parse_known_args(command[2:])
    beam_only = [a for a in unknown if a.startswith("--") and f"--{a[2:].split('=', 1)[0]}" in option_strings("batch")]
    assert [a for a in unknown if a.startswith("--")] == beam_only
    assert arguments.input and all(re.fullmatch(r"gs://[^/]+/archive/\*\*", i) for i in arguments.input)
    assert arguments.output.startswith("gs://")
    assert arguments.since_manifest == arguments.output.rstrip("/") + "/_manifest.json"

    # The FnApiRunner by name (the DirectRunner would first try to download Prism), with its worker processes:
    # ~1 GiB each plus the launcher, which the memory request covers.
    assert command[command.index("--runner") + 1] == "FnApiRunner"
    assert command[command.index("--direct_running_mode") + 1] == "multi_processing"
    workers = int(command[command.index("--direct_num_workers") + 1])
    memory = {kind: quantity(container["resources"][kind]["memory"]) for kind in ("requests", "limits")}
    assert memory["limits"] >= memory["requests"] >= (workers + 1) * 2**30
    assert pod["serviceAccountName"] == only(CRONJOB, "ServiceAccount")["metadata"]["name"]


# ---------------------------------------------------------------------------------------------------------------
# Dataflow flex template


def test_metadata_parameters_are_parley_batch_options_with_working_regexes():
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    assert metadata["name"] and metadata["description"]
    parser = batch_parser()
    defaults = {a.option_strings[0]: a.default for a in parser._actions if a.option_strings}
    names = [p["name"] for p in metadata["parameters"]]
    assert len(names) == len(set(names))
    assert "since-manifest" not in names, "the flex-template launcher cannot wait for the job to record a manifest"
    for parameter in metadata["parameters"]:
        name = parameter["name"]
        assert f"--{name}" in defaults, f"{name} is not an option of parley batch"
        assert parameter["label"] and parameter["helpText"]
        regexes = [re.compile(r) for r in parameter.get("regexes", [])]
        assert regexes, f"{name} has no validation regex"
        for example in re.findall(r"gs://[^\s,]+", parameter["helpText"]):
            example = example.rstrip(".)")
            assert all(r.search(example) for r in regexes), f"{name}: its own example {example} fails its regex"
        documented = re.search(r"Default (\d+)\.", parameter["helpText"])
        if documented:
            assert int(documented.group(1)) == defaults[f"--{name}"], f"{name}: help says {documented.group(1)}"
        if isinstance(defaults[f"--{name}"], int):
            assert all(r.search(str(defaults[f"--{name}"])) for r in regexes)
            assert not any(r.search(v) for r in regexes for v in ("0", "-1", "1e6", "12 ")), name
    required = {p["name"] for p in metadata["parameters"] if not p.get("isOptional")}
    assert required == {"input", "output"}
    by_name = {p["name"]: [re.compile(r) for r in p["regexes"]] for p in metadata["parameters"]}
    assert all(r.search("gs://my-bucket/archive/**") for r in by_name["input"])
    assert not any(r.search("/local/archive") for r in by_name["input"])


def gcloud_env(config: Path) -> dict[str, str]:
    """gcloud offline: a throw-away configuration, no prompts, no update check, no pager."""
    return {
        **os.environ,
        "CLOUDSDK_CONFIG": str(config),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
        "PAGER": "cat",
    }


def gcloud_help(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(["gcloud", *command, "--help"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed")
def test_gcloud_accepts_the_template_metadata_and_the_flags_launch_sh_uses(tmp_path):
    env = gcloud_env(tmp_path)
    result = subprocess.run(
        [
            *("gcloud", "dataflow", "flex-template", "build", "gs://example-parley-bucket/t.json"),
            *("--image", parley_image(), "--sdk-language", "PYTHON", "--metadata-file", str(METADATA)),
            *("--print-only", "--project", "example-project"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert '"name": "max-article-bytes"' in result.stdout
    launch = LAUNCH.read_text(encoding="utf-8")
    for line in logical_lines(launch):
        match = re.search(r"\bgcloud ((?:dataflow flex-template|builds) \w+)", line)
        if match:
            documented = gcloud_help(env, *match.group(1).split())
            for flag in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line)):
                assert re.search(rf"(?<![\w-]){flag}\b", documented), f"gcloud {match.group(1)} has no {flag}"


def load_flex_main():
    return load_module("parley_flex_template_main", FLEX_MAIN)


def test_flex_main_tells_a_template_launch_from_a_direct_run(monkeypatch):
    main = load_flex_main()
    assert main.is_template_launch(["--input=gs://b/a", "--template_location=gs://b/staging/job_object"])
    assert not main.is_template_launch(["--input", "gs://b/a", "--output", "gs://b/t", "--runner", "DataflowRunner"])
    # Run directly, it is `parley batch` with the same arguments (which waits and writes the manifest).
    calls = []
    monkeypatch.setattr("parley.cli.main", lambda argv: calls.append(argv) or 0)
    assert main.main(["--input", "a", "--output", "b", "--since-manifest", "m.json"]) == 0
    assert calls == [["batch", "--input", "a", "--output", "b", "--since-manifest", "m.json"]]


def test_flex_template_launch_refuses_since_manifest_and_bad_usage(tmp_path, capsys):
    main = load_flex_main()
    launch = ["--template_location", "gs://b/staging/job_object", "--input", str(SAMPLES)]
    assert main.main([*launch, "--output", str(tmp_path), f"--since-manifest={tmp_path}/m.json"]) == 2
    assert "since-manifest" in capsys.readouterr().err
    assert main.main(launch) == 2  # no --output
    assert "--output is required" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_flex_template_launch_builds_and_runs_the_batch_graph(tmp_path):
    # launch_template is what the launcher runs; on DirectRunner run() completes the job, so its tables can be read.
    main = load_flex_main()
    assert main.launch_template(["--input", str(SAMPLES), "--output", str(tmp_path / "out"), "--quiet"]) == 0
    for table in ("articles", "paragraphs", "interactions"):
        assert list((tmp_path / "out" / "parquet" / table).rglob("*.parquet")), table


def test_dockerfile_is_one_image_for_launcher_and_workers():
    import apache_beam

    from parley.nlp.annotate import DEFAULT_MODEL

    text = DOCKERFILE.read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert args["BEAM_IMAGE"] == f"apache/beam_python{python}_sdk:{apache_beam.__version__}"
    assert f"apache-beam=={apache_beam.__version__}" in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert args["LAUNCHER_IMAGE"].startswith(
        f"gcr.io/dataflow-templates-base/python{python.replace('.', '')}-template-launcher-base:"
    )
    assert re.search(r"^FROM \$\{LAUNCHER_IMAGE\} AS template_launcher$", text, re.M)
    assert re.search(r"^FROM \$\{BEAM_IMAGE\}$", text, re.M)
    assert "COPY --from=template_launcher /opt/google/dataflow/python_template_launcher" in text
    assert not re.search(r"^(ENTRYPOINT|CMD)\b", text, re.M), "the SDK harness must stay the entry point"
    assert f"spacy.load('{DEFAULT_MODEL}')" in text
    # The flex template's program is the file copied in, and every COPY source exists and is in the build context.
    (py_file,) = re.findall(r"^ENV FLEX_TEMPLATE_PYTHON_PY_FILE=(\S+)$", text, re.M)
    assert f"COPY deploy/dataflow/main.py {py_file}" in text
    included = {
        line[1:].rstrip("/")
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for source in sources.split():
            assert (REPO / source).exists(), source
            assert source in included, f"{source} is excluded from the build context by Dockerfile.dockerignore"


# ---------------------------------------------------------------------------------------------------------------
# Scripts and the DAG


SCRIPTS = sorted(DEPLOY.rglob("*.sh"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_are_strict_and_parse(script):
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_pass_shellcheck(script):
    result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_airflow_dag_compiles_without_airflow_and_renders_a_parley_batch_command(tmp_path):
    py_compile.compile(str(DAG), cfile=str(tmp_path / "dag.pyc"), doraise=True)
    tree = ast.parse(DAG.read_text(encoding="utf-8"))
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    command = ast.literal_eval(assigned["PARLEY_BATCH"])
    dag_call = next(
        node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DAG"
    )
    settings = {k.arg: k.value for k in dag_call.keywords}
    assert valid_cron(ast.literal_eval(settings["schedule"]))
    assert ast.literal_eval(settings["catchup"]) is False
    assert ast.literal_eval(settings["max_active_runs"]) == 1
    params = ast.literal_eval(settings["params"])
    operators = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert "BashOperator" in operators

    # Render the command as Airflow would (params and ds_nodash), then parse it as `parley batch` does.
    def render(text: str) -> str:
        text = re.sub(r"\{\{\s*params\.(\w+)\s*\}\}", lambda m: str(params[m.group(1)]), text)
        return re.sub(r"\{\{\s*ds_nodash\s*\}\}", "20250101", text)

    rendered = shlex.split(render(" ".join(shlex.quote(a) for a in command)))
    assert "{{" not in " ".join(rendered)
    assert rendered[:2] == ["parley", "batch"]
    arguments, unknown = batch_parser().parse_known_args(rendered[2:])
    assert all(f"--{u[2:].split('=', 1)[0]}" in option_strings("batch") for u in unknown if u.startswith("--"))
    assert arguments.input == ["gs://example-parley-bucket/archive/**"], "the glob must reach Parley unexpanded"
    assert arguments.since_manifest == arguments.output + "/_manifest.json"
    assert rendered[rendered.index("--runner") + 1] == "DataflowRunner"
    job_name = rendered[rendered.index("--job_name") + 1]
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", job_name), "Dataflow job names: lower case, digits, hyphens"


def test_deploy_readme_lists_every_deploy_file():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for path in deploy_files():
        name = path.relative_to(DEPLOY).as_posix()
        if name != "README.md":
            assert f"`{name}`" in readme, f"deploy/README.md does not say what {name} is for"


# ---------------------------------------------------------------------------------------------------------------
# submit.sh for real: Beam's Python job service stands in for the Flink job server, and Beam's worker pool for the
# TaskManager's sidecar (the same worker-pool API the SDK image's `--worker_pool` serves).


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


@pytest.fixture
def portable_services(tmp_path):
    """(job endpoint, worker pool address) of a local Beam job service and worker pool, stopped afterwards."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}  # the pool starts `python`
    # Away from the repository, so the workers find codebooks, schemas and the model in the installed package.
    scratch = tmp_path / "services"
    scratch.mkdir()
    job_port, pool_port = free_port(), free_port()
    commands = [
        [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", "--service_port", str(pool_port)],
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main", "--port", str(job_port)],
    ]
    processes = []
    try:
        for command, port in zip(commands, (pool_port, job_port), strict=True):
            log = open(scratch / f"{port}.log", "wb")  # noqa: SIM115 (closed with the process below)
            process = subprocess.Popen(command, cwd=scratch, env=env, stdout=log, stderr=log, start_new_session=True)
            processes.append((process, log))
            wait_for_port(port, processes[-1][0])
        yield f"localhost:{job_port}", f"localhost:{pool_port}", env
    finally:
        for process, log in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # the service and the SDK workers it started
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()


@pytest.mark.slow
def test_submit_sh_runs_parley_batch_through_a_job_service_and_an_external_worker_pool(tmp_path, portable_services):
    job_endpoint, worker_pool, env = portable_services
    out = tmp_path / "tables"
    env = {
        **env,
        "MODE": "jobserver",
        "JOB_ENDPOINT": job_endpoint,
        "ARTIFACT_ENDPOINT": job_endpoint,  # Beam's Python job service stages artifacts on its job port
        "WORKER_POOL": worker_pool,
        "INPUT": str(SAMPLES),
        "OUTPUT": str(out),
        "SINCE_MANIFEST": str(out / "_manifest.json"),
    }
    first = subprocess.run(["bash", str(SUBMIT), "--quiet"], env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"accounting +read (\d+) = articles \1 \+ dead-lettered records 0: OK", first.stdout)
    assert list((out / "parquet" / "interactions").rglob("*.parquet"))
    assert (out / "_manifest.json").exists()
    # The second night: every file is in the manifest, nothing is coded again.
    second = subprocess.run(["bash", str(SUBMIT), "--quiet"], env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"records read +0\b", second.stdout)
    assert re.search(r"skipped +[1-9]", second.stdout)
