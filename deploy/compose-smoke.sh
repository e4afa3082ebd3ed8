#!/usr/bin/env bash
# Brings docker-compose.yml up for real under podman: builds the image offline (deploy/offline/build-image.sh),
# starts the coordinator and SMOKE_WORKERS workers on a short job, kills one worker's process with SIGKILL mid-run
# (its container restarts and joins again), and checks that the coordinator exits 0, that every planned step was
# applied exactly once (the summary in the runs volume), and that the checkpoint in the volume loads with
# `evaluate`. Then it removes every container, network and volume it made, and prints one last line:
# `compose-smoke: PASS|FAIL <figures>`; it exits 1 on FAIL.
# Usage: bash deploy/compose-smoke.sh [--skip-if-unsupported]   (root; podman, podman-compose, mmdebstrap, dotnet)
#   --skip-if-unsupported: where containers cannot run here, print `compose-smoke: SKIP <why>` and exit 0 (CI).
# The job: SMOKE_WORKERS (2), SMOKE_TRAIN_SAMPLES (4000), SMOKE_EPOCHS (2), SMOKE_BATCH_SIZE (32); SMOKE_TIMEOUT
# (600 s) bounds the run from `up` to the coordinator's exit; SMOKE_LOG_DIR, when set, keeps every container's log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
workers="${SMOKE_WORKERS:-2}"
timeout_s="${SMOKE_TIMEOUT:-600}"
project="disttrainer-smoke-$$"
image="disttrainer:latest"
limits=(--ulimit nofile=20000:20000 --ulimit nproc=1024:1024)
skip_if_unsupported=false
[ "${1:-}" = "--skip-if-unsupported" ] && skip_if_unsupported=true
work="$(mktemp -d)"
verdict="FAIL interrupted"
started=$SECONDS

say() { echo "compose-smoke: $*" >&2; }
# Ends the run with a verdict; the EXIT trap tears down first and prints it last.
fail() { verdict="FAIL $*"; exit 1; }
unsupported() {
  if $skip_if_unsupported; then verdict="SKIP $*"; exit 0; fi
  fail "$*"
}
# This project's containers, networks or volumes (compose labels them all with the project's name).
project_items() {
  local list=(ls --format '{{.Name}}'); [ "$1" = ps ] && list=(-a --format '{{.Names}}')
  podman "$1" "${list[@]}" --filter "label=com.docker.compose.project=$project" "${@:2}" 2>/dev/null || true
}
teardown() {
  status=$?
  if [ -n "${follower:-}" ]; then kill "$follower" 2>/dev/null || true; fi
  if [ -n "${SMOKE_LOG_DIR:-}" ]; then
    mkdir -p "$SMOKE_LOG_DIR"
    for container in $(project_items ps); do podman logs "$container" >"$SMOKE_LOG_DIR/$container.log" 2>&1 || true; done
    cp "$work"/*.log "$SMOKE_LOG_DIR/" 2>/dev/null || true
  fi
  project_items ps | xargs -r podman rm -f >/dev/null 2>&1 || true
  project_items network | xargs -r podman network rm >/dev/null 2>&1 || true
  project_items volume | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  if [ -n "$(project_items ps)$(project_items network)$(project_items volume)" ]; then
    verdict="FAIL ${verdict#FAIL }; teardown left containers, networks or volumes of $project behind"; status=1
  fi
  if [[ $verdict == FAIL* ]]; then
    for log in "$work"/*.log; do
      if [ -f "$log" ]; then say "the last lines of $(basename "$log"):"; tail -n 15 "$log" >&2; fi
    done
  fi
  rm -rf "$work"
  echo "compose-smoke: $verdict"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || unsupported "not root: the image build (mmdebstrap) and podman's container networks need root"
for tool in podman podman-compose mmdebstrap dotnet python3; do
  command -v "$tool" >/dev/null || unsupported "$tool is not installed"
done
podman info >/dev/null 2>&1 || unsupported "podman cannot run here: $(podman info 2>&1 | tail -n 1)"

say "building $image offline"
build_started=$SECONDS
set +e
bash "$here/offline/build-image.sh" "$image" 2>"$work/build.log"
built=$?
set -e
build_s=$((SECONDS - build_started))
[ "$built" -eq 3 ] && unsupported "$(tail -n 1 "$work/build.log")"
[ "$built" -eq 0 ] || fail "image build: $(tail -n 1 "$work/build.log")"

say "starting the coordinator and $workers workers (project $project)"
up_started=$SECONDS
# The certificates first: podman-compose does not wait for a one-shot service to complete before starting the
# nodes that depend on it. Prometheus and Grafana are left out: their images come from a registry.
compose_up() {
  (cd "$repo" && WORKERS="$workers" EPOCHS="${SMOKE_EPOCHS:-2}" TRAIN_SAMPLES="${SMOKE_TRAIN_SAMPLES:-4000}" \
    TEST_SAMPLES=1000 BATCH_SIZE="${SMOKE_BATCH_SIZE:-32}" podman-compose -p "$project" up -d --no-build "$@") \
    >>"$work/up.log" 2>&1 || fail "podman-compose up $*: $(tail -n 1 "$work/up.log")"
}
compose_up certs
certs="$(project_items ps --filter label=com.docker.compose.service=certs)"
[ -n "$certs" ] || fail "no certs container"
[ "$(podman wait "$certs")" = "0" ] || fail "the certs service failed: $(podman logs "$certs" 2>&1 | tail -n 1)"
compose_up coordinator worker
coordinator="$(project_items ps --filter label=com.docker.compose.service=coordinator)"
mapfile -t worker_names < <(project_items ps --filter label=com.docker.compose.service=worker)
[ -n "$coordinator" ] || fail "no coordinator container"
[ "${#worker_names[@]}" -eq "$workers" ] || fail "${#worker_names[@]} worker containers, not $workers"
deadline=$((up_started + timeout_s))

# The coordinator's output, followed into a file for as long as its container runs: polling it costs no
# podman call, so the kill lands at the step it aims at.
podman logs -f "$coordinator" >"$work/coordinator.log" 2>&1 &
follower=$!
running() { kill -0 "$follower" 2>/dev/null; }
# The coordinator's latest progress line `step N/LAST` as "N LAST" (empty before the first step).
progress() { grep -oE 'step [0-9]+/[0-9]+' "$work/coordinator.log" | tail -n 1 | tr '/' ' ' | cut -d ' ' -f 2-; }
wait_for_step() {
  while :; do
    read -r step last <<<"$(progress) "
    if [ -n "${step:-}" ] && [ "$step" -ge "$1" ]; then return; fi
    running || fail "the coordinator exited before step $1"
    [ "$SECONDS" -lt "$deadline" ] || fail "no step $1 within $timeout_s s"
    sleep 0.2
  done
}

wait_for_step 1
first_step_s=$((SECONDS - up_started))
kill_at=$((last / 3))
say "first step after ${first_step_s} s; killing ${worker_names[-1]} at step $kill_at of $last"
# podman runs health checks from systemd timers (none in a container host without systemd): run each once here.
for container in "$coordinator" "${worker_names[0]}"; do
  podman healthcheck run "$container" >"$work/health.log" 2>&1 || fail "the health check of $container failed"
done
victim="$(podman inspect -f '{{.State.Pid}}' "${worker_names[-1]}")"
wait_for_step "$kill_at"
kill -9 "$victim" || fail "could not kill ${worker_names[-1]} (pid $victim)"
killed_at=$SECONDS
killed_step=$step
# Recovery: the first step planned after the loss is applied (the lost shard went to another worker); the
# restarted container joins the run again if the run lasts long enough.
# The restarted container has rejoined once its log (both lives) says Ready a second time; asked once a second.
resumed_s="" rejoined_s="" asked_at=-1
while running && [ "$SECONDS" -lt "$deadline" ]; do
  read -r step last <<<"$(progress) "
  if [ -z "$resumed_s" ] && [ "$step" -gt $((killed_step + 1)) ]; then resumed_s=$((SECONDS - killed_at)); fi
  if [ -z "$rejoined_s" ] && [ "$SECONDS" -ne "$asked_at" ]; then
    asked_at=$SECONDS
    if [ "$(podman logs "${worker_names[-1]}" 2>&1 | grep -c 'Ready:')" -ge 2 ]; then
      rejoined_s=$((SECONDS - killed_at)); say "the killed worker's container restarted and rejoined after ${rejoined_s} s"
    fi
  fi
  sleep 0.2
done
running && fail "the coordinator did not finish within $timeout_s s"
timeout $((deadline > SECONDS ? deadline - SECONDS + 10 : 10)) podman wait "$coordinator" >/dev/null \
  || fail "the coordinator did not exit within $timeout_s s"
read -r step last <<<"$(progress) "
if [ -z "$resumed_s" ] && [ "$step" -gt $((killed_step + 1)) ]; then resumed_s=$((SECONDS - killed_at)); fi
exit_code="$(podman inspect -f '{{.State.ExitCode}}' "$coordinator")"
[ "$exit_code" -eq 0 ] || fail "the coordinator exited with $exit_code"
restarts="$(podman inspect -f '{{.RestartCount}}' "${worker_names[-1]}")"
[ "$restarts" -ge 1 ] || fail "the killed worker's container was not restarted (restart: on-failure)"

# The project has three volumes (runs, certs, ca); the run leaves its files in runs.
volume="$(project_items volume | grep '_runs$' || true)"
[ -n "$volume" ] || fail "no runs volume"
mount="$(podman volume inspect -f '{{.Mountpoint}}' "$volume")"
steps="$(python3 "$here/check-run-summary.py" "$mount/summary.json" "$last")" || fail "summary: $steps"
[ -f "$mount/model.safetensors" ] || fail "no model.safetensors in the runs volume"
podman run --rm --label "com.docker.compose.project=$project" "${limits[@]}" -v "$volume:/var/lib/disttrainer" "$image" \
  DistTrainer.Coordinator evaluate --checkpoint model.safetensors --samples 1000 >"$work/evaluate.log" 2>&1 \
  || fail "evaluate of the volume's checkpoint: $(tail -n 1 "$work/evaluate.log")"
accuracy="$(grep -ioE 'accuracy[^0-9]*[0-9.]+' "$work/evaluate.log" | head -n 1 | grep -oE '[0-9.]+$')"
verdict="PASS image build ${build_s} s, first step ${first_step_s} s after up, steps resumed ${resumed_s:-?} s after"
verdict+=" the kill at step $killed_step, the killed worker restarted ${restarts}x"
verdict+="${rejoined_s:+ and rejoined after $rejoined_s s}, $steps steps applied once each, test accuracy"
verdict+=" ${accuracy:-?} (evaluate), wall $((SECONDS - started)) s"
