#!/bin/bash
# Runs before Kafka starts (ExecStartPre of kafka.service) and writes the JVM heap to the
# environment file the unit reads: the size pinned in the stack config, or, when none is, half
# of this machine's memory (at least 256 MiB, at most KAFKA_HEAP_MAX_MB). Computed at every
# start, so a resized instance gets a heap that fits it.
set -euo pipefail

node_env=${KRAFT_NODE_ENV:-/etc/kraft-infra/node.env}
out=${1:-/run/kafka/heap.env}
meminfo=${KRAFT_MEMINFO:-/proc/meminfo}
# shellcheck source=/dev/null
. "$node_env"

if [ -n "${KAFKA_HEAP_SIZE:-}" ]; then
  heap=$KAFKA_HEAP_SIZE
  reason="pinned in the stack config"
else
  mem_kib=$(awk '$1 == "MemTotal:" { print $2 }' "$meminfo")
  [[ $mem_kib =~ ^[0-9]+$ ]] || { echo "kafka-heap-env: no MemTotal in ${meminfo}" >&2; exit 1; }
  heap_mib=$(( mem_kib / 1024 / 2 ))
  max_mib=${KAFKA_HEAP_MAX_MB:-4096}
  (( heap_mib > max_mib )) && heap_mib=$max_mib
  (( heap_mib < 256 )) && heap_mib=256
  heap="${heap_mib}m"
  reason="half of $(( mem_kib / 1024 )) MiB, capped at ${max_mib} MiB"
fi

printf 'KAFKA_HEAP_OPTS="-Xms%s -Xmx%s"\n' "$heap" "$heap" > "$out"
echo "kafka-heap-env: heap ${heap} (${reason})"
