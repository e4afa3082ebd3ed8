#!/bin/sh
# A scaled compose service gives all its replicas one name, so the compose file cannot tell a
# replica its own address: it binds every interface and gives the cluster its container address.
set -eu
if [ -z "${DISTTRAINER_PUBLIC_HOSTNAME:-}" ]; then
  DISTTRAINER_PUBLIC_HOSTNAME="$(hostname -i | cut -d ' ' -f 1)"
  export DISTTRAINER_PUBLIC_HOSTNAME
fi
exec /app/worker/DistTrainer.Worker worker "$@"
