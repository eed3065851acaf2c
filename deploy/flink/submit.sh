#!/usr/bin/env bash
# Submit `parley batch` to the Flink session cluster of deploy/flink/flinkdeployment.yaml.
#
#   INPUT='gs://my-bucket/archive/**' OUTPUT=gs://my-bucket/tables deploy/flink/submit.sh [more parley batch options]
#
# Runs `parley batch` here (a machine or pod with Parley installed, e.g. the Parley image) and waits for the Flink
# job, so the summary, the exit code and --since-manifest work as on a laptop. The Python workers run in the
# TaskManagers' worker-pool sidecars (--environment_type EXTERNAL --environment_config localhost:50000: "localhost"
# is the TaskManager pod, whose sidecar listens on 50000), so INPUT, OUTPUT and SINCE_MANIFEST must be on storage the
# sidecars can reach (gs://, s3://), not paths of this machine.
#
# MODE=uberjar (default): `--runner FlinkRunner --flink_master HOST:8081 --flink_submit_uber_jar`. Beam packs the job
#   into its Flink job-server jar and posts it to the JobManager's REST endpoint; no job server to run. The jar
#   (beam-runners-flink-1.20-job-server-2.77.0.jar) is fetched from Maven Central on first use, or set
#   FLINK_JOB_SERVER_JAR to a local copy. As in the Beam blog "Deploy Python pipelines on Kubernetes using the Flink
#   runner" (2024) and GoogleCloudPlatform/flink-on-k8s-operator examples/beam/without_job_server.
# MODE=jobserver: `--runner PortableRunner --job_endpoint HOST:8099 --artifact_endpoint HOST:8098` against Beam's
#   Flink job server (deploy/flink/beam-jobserver.yaml), as in flink-on-k8s-operator examples/beam/with_job_server.
#
# Reaching the cluster: set FLINK_MASTER (uberjar) or JOB_ENDPOINT and ARTIFACT_ENDPOINT (jobserver) when they are
# reachable (e.g. in-cluster: parley-flink-rest:8081, parley-beam-jobserver:8099 / :8098); otherwise this script
# port-forwards the Services with kubectl for the duration of the run.
#
# Optional: NAMESPACE (default parley), CLUSTER (FlinkDeployment name, default parley-flink), FLINK_VERSION (1.20),
# PARALLELISM (default 4 = 2 TaskManagers x 2 slots), SDK_WORKERS (Python workers per TaskManager, default 2, as
# sized in flinkdeployment.yaml), JOB_NAME, SINCE_MANIFEST (e.g. gs://my-bucket/tables/_manifest.json), WORKER_POOL
# (the worker pool's address as a TaskManager sees it, default localhost:50000: the sidecar's containerPort).
set -euo pipefail

: "${INPUT:?set INPUT to the articles, e.g. gs://my-bucket/archive/**}"
: "${OUTPUT:?set OUTPUT to the tables folder, e.g. gs://my-bucket/tables}"
MODE="${MODE:-uberjar}"
NAMESPACE="${NAMESPACE:-parley}"
CLUSTER="${CLUSTER:-parley-flink}"
FLINK_VERSION="${FLINK_VERSION:-1.20}"
PARALLELISM="${PARALLELISM:-4}"
SDK_WORKERS="${SDK_WORKERS:-2}"
JOB_NAME="${JOB_NAME:-parley-batch-$(date -u +%Y%m%d-%H%M%S)}"
WORKER_POOL="${WORKER_POOL:-localhost:50000}"

forwarder=""
cleanup() {
  if [[ -n "${forwarder}" ]]; then
    kill "${forwarder}" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# port_forward SERVICE PORT [PORT...]: forward local PORTs to the Service until this script exits.
port_forward() {
  local service="$1"
  shift
  kubectl --namespace "${NAMESPACE}" port-forward "service/${service}" "$@" >/dev/null &
  forwarder=$!
  local attempt
  for attempt in $(seq 30); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "submit.sh: port-forward to service/${service} did not open port $1 after ${attempt} s" >&2
  exit 1
}

parley_args=(
  --input "${INPUT}"
  --output "${OUTPUT}"
  --environment_type EXTERNAL
  --environment_config "${WORKER_POOL}"
  --sdk_worker_parallelism "${SDK_WORKERS}"
  --parallelism "${PARALLELISM}"
  --job_name "${JOB_NAME}"
)
if [[ -n "${SINCE_MANIFEST:-}" ]]; then
  parley_args+=(--since-manifest "${SINCE_MANIFEST}")
fi

case "${MODE}" in
  uberjar)
    if [[ -z "${FLINK_MASTER:-}" ]]; then
      port_forward "${CLUSTER}-rest" 8081
      FLINK_MASTER=localhost:8081
    fi
    parley_args+=(
      --runner FlinkRunner
      --flink_master "${FLINK_MASTER}"
      --flink_version "${FLINK_VERSION}"
      --flink_submit_uber_jar
    )
    if [[ -n "${FLINK_JOB_SERVER_JAR:-}" ]]; then
      parley_args+=(--flink_job_server_jar "${FLINK_JOB_SERVER_JAR}")
    fi
    ;;
  jobserver)
    if [[ -z "${JOB_ENDPOINT:-}" ]]; then
      port_forward parley-beam-jobserver 8099 8098
      JOB_ENDPOINT=localhost:8099
      ARTIFACT_ENDPOINT=localhost:8098
    fi
    : "${ARTIFACT_ENDPOINT:?set ARTIFACT_ENDPOINT along with JOB_ENDPOINT}"
    parley_args+=(
      --runner PortableRunner
      --job_endpoint "${JOB_ENDPOINT}"
      --artifact_endpoint "${ARTIFACT_ENDPOINT}"
    )
    ;;
  *)
    echo "submit.sh: MODE must be uberjar or jobserver, not ${MODE}" >&2
    exit 2
    ;;
esac

parley batch "${parley_args[@]}" "$@"
