#!/usr/bin/env bash
# Build Parley's image and Dataflow flex template, and run `parley batch` on Dataflow from it.
#
#   export PROJECT=my-project REGION=europe-west1 BUCKET=my-bucket
#   deploy/dataflow/launch.sh image      # build deploy/Dockerfile with Cloud Build and push it to Artifact Registry
#   deploy/dataflow/launch.sh template   # write the template spec (image + metadata.json) to Cloud Storage
#   deploy/dataflow/launch.sh run        # start a job from the template
#   deploy/dataflow/launch.sh all        # the three in order
#
# Required: PROJECT, REGION, BUCKET (a bucket name, no gs://).
# Optional: REPOSITORY (Artifact Registry repository, default parley), TAG (default 0.1.0), IMAGE, TEMPLATE,
#   INPUT (default gs://BUCKET/archive/**), OUTPUT (default gs://BUCKET/tables), MAX_WORKERS (default 10),
#   MACHINE_TYPE (default n2-standard-2: ~1 GiB per SDK process per core), JOB_NAME, and the limits
#   MAX_ARTICLE_BYTES, MAX_PARAGRAPH_CHARS, MAX_PARAGRAPHS, FALLBACK_ENCODING (passed only when set).
#
# The image is both the template launcher and the worker image (sdk_container_image), as in GoogleCloudPlatform
# python-docs-samples dataflow/flex-templates/pipeline_with_dependencies (README: "Build the Flex Template",
# "Run the template"). Not available from the template: --since-manifest (the launcher does not wait for the job;
# nightly runs over a growing archive use deploy/schedule/). gcloud splits --parameters values at commas: an INPUT
# glob with a comma needs gcloud's alternate delimiter syntax (see `gcloud topic escaping`).
set -euo pipefail

: "${PROJECT:?set PROJECT to the Google Cloud project id}"
: "${REGION:?set REGION, e.g. europe-west1}"
: "${BUCKET:?set BUCKET to a Cloud Storage bucket name (without gs://)}"
REPOSITORY="${REPOSITORY:-parley}"
TAG="${TAG:-0.1.0}"
IMAGE="${IMAGE:-${REGION}-docker.pkg.dev/${PROJECT}/${REPOSITORY}/parley-beam:${TAG}}"
TEMPLATE="${TEMPLATE:-gs://${BUCKET}/templates/parley-batch-${TAG}.json}"
INPUT="${INPUT:-gs://${BUCKET}/archive/**}"
OUTPUT="${OUTPUT:-gs://${BUCKET}/tables}"
MAX_WORKERS="${MAX_WORKERS:-10}"
MACHINE_TYPE="${MACHINE_TYPE:-n2-standard-2}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

build_image() {
  # Source upload honours .gcloudignore, else .gitignore (.venv/ and out/ stay home).
  gcloud builds submit "${repo}" \
    --project "${PROJECT}" \
    --config "${here}/cloudbuild.yaml" \
    --substitutions "_IMAGE=${IMAGE}"
}

build_template() {
  gcloud dataflow flex-template build "${TEMPLATE}" \
    --project "${PROJECT}" \
    --image "${IMAGE}" \
    --sdk-language PYTHON \
    --metadata-file "${here}/metadata.json"
}

run_template() {
  local job="${JOB_NAME:-parley-batch-$(date -u +%Y%m%d-%H%M%S)}"
  # One --parameters flag per parameter (as the GoogleCloudPlatform sample does): a value may hold '=' or '*'.
  local parameters=(
    --parameters "input=${INPUT}"
    --parameters "output=${OUTPUT}"
    --parameters "sdk_container_image=${IMAGE}"
  )
  if [[ -n "${MAX_ARTICLE_BYTES:-}" ]]; then
    parameters+=(--parameters "max-article-bytes=${MAX_ARTICLE_BYTES}")
  fi
  if [[ -n "${MAX_PARAGRAPH_CHARS:-}" ]]; then
    parameters+=(--parameters "max-paragraph-chars=${MAX_PARAGRAPH_CHARS}")
  fi
  if [[ -n "${MAX_PARAGRAPHS:-}" ]]; then
    parameters+=(--parameters "max-paragraphs=${MAX_PARAGRAPHS}")
  fi
  if [[ -n "${FALLBACK_ENCODING:-}" ]]; then
    parameters+=(--parameters "fallback-encoding=${FALLBACK_ENCODING}")
  fi
  gcloud dataflow flex-template run "${job}" \
    --project "${PROJECT}" \
    --region "${REGION}" \
    --template-file-gcs-location "${TEMPLATE}" \
    --staging-location "gs://${BUCKET}/staging" \
    --temp-location "gs://${BUCKET}/tmp" \
    --max-workers "${MAX_WORKERS}" \
    --worker-machine-type "${MACHINE_TYPE}" \
    "${parameters[@]}"
}

case "${1:-}" in
  image) build_image ;;
  template) build_template ;;
  run) run_template ;;
  all)
    build_image
    build_template
    run_template
    ;;
  *)
    echo "usage: $0 image|template|run|all   (see the comment at the top of this script)" >&2
    exit 2
    ;;
esac
